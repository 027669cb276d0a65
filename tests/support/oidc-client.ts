/** The client the app is registered as at the test OpenID providers (AUTH_PROVIDERS and AUTH_<ID>_CLIENT_SECRET). */
export const OIDC_CLIENT = { id: "spaces", secret: "spaces-test-client-secret" };

/** The OAuth App the app is registered as at the local GitHub (tests/support/fake-github.ts). */
export const GITHUB_CLIENT = { id: "Iv1.spaces0test0app", secret: "spaces-test-github-secret" };
