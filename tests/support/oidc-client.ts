/** The client the app is registered as at the test OpenID providers (AUTH_PROVIDERS and AUTH_<ID>_CLIENT_SECRET). */
export const OIDC_CLIENT = { id: "spaces", secret: "spaces-test-client-secret" };
