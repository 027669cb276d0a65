/** The client the app is registered as at the test OpenID providers (AUTH_PROVIDERS and AUTH_<ID>_CLIENT_SECRET). */
export const OIDC_CLIENT = { id: "spaces", secret: "spaces-test-client-secret" };

/** The OAuth App the app is registered as at the local GitHub (tests/support/fake-github.ts). */
export const GITHUB_CLIENT = { id: "Iv1.spaces0test0app", secret: "spaces-test-github-secret" };

/** The origin the worker tests call the worker at (ORIGIN in tests/worker/client.ts, which only runs inside workerd). */
export const WORKER_ORIGIN = "https://spaces.test";

/** Where a provider sends the browser back to at the app on `origin` (as src/worker/routes/accounts.ts builds it). */
export const callbackUrl = (origin: string, provider: string) => `${origin}/api/auth/oidc/${provider}/callback`;
