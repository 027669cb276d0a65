/** Reading an HTTP Retry-After header, for the web client (our 503s) and the worker (LiveKit's 429s). */

/** Seconds from a Retry-After header, in either form it may take (delay-seconds or an HTTP date); undefined if absent or unreadable. */
export function retryAfterSeconds(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = /^\s*\d+\s*$/.test(value) ? Number(value) : (Date.parse(value) - now) / 1000;
  return Number.isFinite(seconds) ? Math.max(0, seconds) : undefined;
}
