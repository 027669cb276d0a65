/** Whether `url` names this machine (local development, tests): the only place plain http is expected. */
export const isLoopback = (url: URL) => url.hostname === "localhost" || url.hostname === "127.0.0.1" || url.hostname === "[::1]";
