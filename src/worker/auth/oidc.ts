/**
 * The provider side of a sign-in, with oauth4webapi: the authorization URL (code flow, PKCE S256, state,
 * nonce), and the callback (state, code exchange, ID token claims and signature, nonce). GitHub is the
 * OAuth 2.0 exception (see providers.ts).
 */
import * as oauth from "oauth4webapi";
import { ApiError } from "../../shared/errors.ts";
import { MAX_NAME_LENGTH } from "../../shared/limits.ts";
import { isLoopback } from "../../shared/loopback.ts";
import { GITHUB_URL, type GitHubProvider, type Provider } from "./providers.ts";

/**
 * GitHub's endpoints at its `url`: the OAuth web flow is under the site itself; the user API is at
 * api.github.com for github.com, and under /api/v3 on a GitHub Enterprise Server.
 */
function gitHubEndpoints(url: string): { server: oauth.AuthorizationServer; userApi: string } {
  return {
    server: { issuer: url, authorization_endpoint: `${url}/login/oauth/authorize`, token_endpoint: `${url}/login/oauth/access_token` },
    userApi: url === GITHUB_URL ? "https://api.github.com/user" : `${url}/api/v3/user`,
  };
}

/** What a flow keeps on the server between the redirect and the callback (in its auth_challenges row). */
export interface FlowSecrets {
  provider: string;
  verifier: string;
  nonce: string;
}

/** The person at the provider: a stable subject and a display name. */
interface ProviderAccount {
  subject: string;
  name: string;
}

// Plain http only for an issuer on this machine (local development and tests); anywhere else, https.
function requestOptions(issuer: string): { [oauth.allowInsecureRequests]?: boolean } {
  const url = new URL(issuer);
  return url.protocol === "http:" && isLoopback(url) ? { [oauth.allowInsecureRequests]: true } : {};
}

async function authorizationServer(provider: Provider): Promise<oauth.AuthorizationServer> {
  if (provider.kind === "github") return gitHubEndpoints(provider.url).server;
  const issuer = new URL(provider.issuer);
  try {
    return await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, requestOptions(provider.issuer)));
  } catch (error) {
    throw new ApiError("UNAVAILABLE", `the sign-in provider ${provider.name} cannot be reached: ${(error as Error).message}`);
  }
}

/** The URL to send the browser to, and the secrets the callback will need. */
export async function authorizationUrl(provider: Provider, redirectUri: string): Promise<{ url: string; state: string; secrets: FlowSecrets }> {
  const as = await authorizationServer(provider);
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  const url = new URL(as.authorization_endpoint!);
  url.searchParams.set("client_id", provider.clientId);
  url.searchParams.set("redirect_uri", redirectUri);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("scope", provider.kind === "github" ? "read:user" : "openid profile");
  url.searchParams.set("code_challenge", await oauth.calculatePKCECodeChallenge(verifier));
  url.searchParams.set("code_challenge_method", "S256");
  url.searchParams.set("state", state);
  if (provider.kind === "oidc") url.searchParams.set("nonce", nonce);
  return { url: url.href, state, secrets: { provider: provider.id, verifier, nonce } };
}

/** Why a callback was refused, for the page the browser lands on. */
export class SignInRefused extends Error {
  constructor(
    readonly reason: "denied" | "failed",
    message: string,
  ) {
    super(message);
  }
}

/**
 * Verifies the provider's answer at the callback URL and returns the account. Throws SignInRefused when the
 * person said no at the provider or anything fails to verify (state, code, ID token, nonce).
 */
export async function accountFromCallback(provider: Provider, redirectUri: string, callback: URL, state: string, secrets: FlowSecrets): Promise<ProviderAccount> {
  const as = await authorizationServer(provider);
  const client: oauth.Client = { client_id: provider.clientId };
  const options = requestOptions(provider.kind === "oidc" ? provider.issuer : provider.url);
  try {
    const params = oauth.validateAuthResponse(as, client, callback, state);
    const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.ClientSecretBasic(provider.clientSecret), params, redirectUri, secrets.verifier, options);
    if (provider.kind === "github") return await gitHubAccount(provider, as, client, response);
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: secrets.nonce, requireIdToken: true });
    // The token endpoint's TLS vouches for the ID token; its signature is checked as well, against the issuer's keys.
    await oauth.validateApplicationLevelSignature(as, response, options);
    const claims = oauth.getValidatedIdTokenClaims(tokens)!;
    return { subject: claims.sub, name: displayName(claims.name, claims.preferred_username) };
  } catch (error) {
    if (error instanceof oauth.AuthorizationResponseError && error.error === "access_denied") {
      throw new SignInRefused("denied", `${provider.name} refused the sign-in`);
    }
    if (error instanceof SignInRefused) throw error;
    throw new SignInRefused("failed", `${provider.name} sign-in could not be verified: ${(error as Error).message}`);
  }
}

async function gitHubAccount(provider: GitHubProvider, as: oauth.AuthorizationServer, client: oauth.Client, response: Response): Promise<ProviderAccount> {
  // GitHub refuses a code (used, expired, wrong verifier) with status 200 and an `error` field, which
  // oauth4webapi would report only as a missing access_token: say GitHub's reason instead.
  const refusal = (await response.clone().json().catch(() => ({}))) as { error?: unknown; error_description?: unknown };
  if (typeof refusal.error === "string") throw new SignInRefused("failed", `${provider.name} refused the code: ${refusal.error} (${String(refusal.error_description)})`);
  const tokens = await oauth.processAuthorizationCodeResponse(as, client, response);
  const user = await fetch(gitHubEndpoints(provider.url).userApi, {
    headers: { Authorization: `Bearer ${tokens.access_token}`, Accept: "application/vnd.github+json", "User-Agent": "spaces" },
  });
  if (!user.ok) throw new SignInRefused("failed", `${provider.name} did not say who you are (${user.status})`);
  const body = (await user.json()) as { id?: unknown; name?: unknown; login?: unknown };
  if (typeof body.id !== "number") throw new SignInRefused("failed", `${provider.name} did not say who you are`);
  return { subject: String(body.id), name: displayName(body.name, body.login) };
}

/** The first usable name a provider gives, trimmed to what a being's name may be. */
function displayName(...candidates: unknown[]): string {
  const found = candidates.find((c): c is string => typeof c === "string" && c.trim().length > 0);
  return (found ?? "Someone").trim().slice(0, MAX_NAME_LENGTH);
}
