/**
 * A real OpenID provider on loopback for the tests: panva's certified `oidc-provider`, with one
 * confidential client (secret, PKCE required). Its login and consent pages complete by themselves, the way
 * a person would click through them: the account is the authorization request's `login_hint`
 * ("alice" when absent), and `login_hint=deny` says no (access_denied).
 *
 * It listens at once (its issuer URL is needed to configure the app), and accepts requests once
 * `configure(redirectUris)` has told it where the app's callbacks are.
 */
import { generateKeyPairSync } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";
import { OIDC_CLIENT } from "./oidc-client.ts";


export interface TestOidcProvider {
  issuer: string;
  configure(redirectUris: string[]): void;
  close(): Promise<void>;
}

function newProvider(issuer: string, redirectUris: string[]): Provider {
  const key = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" });
  return new Provider(issuer, {
    clients: [
      {
        client_id: OIDC_CLIENT.id,
        client_secret: OIDC_CLIENT.secret,
        redirect_uris: redirectUris,
        response_types: ["code"],
        grant_types: ["authorization_code"],
        token_endpoint_auth_method: "client_secret_basic",
      },
    ],
    jwks: { keys: [{ ...key, kid: "test-key", alg: "RS256", use: "sig" }] as never },
    findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub, name: `Person ${sub}` }) }),
    claims: { openid: ["sub"], profile: ["name"] },
    // The name in the ID token itself (the app reads no userinfo).
    conformIdTokenClaims: false,
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    features: { devInteractions: { enabled: false } },
    cookies: { keys: ["test-cookie-key"] },
    pkce: { required: () => true },
    // ID tokens live an hour (tests/setup/oidc-provider.ts sets a clock two hours behind to make expired ones).
    ttl: { Interaction: 600, Session: 600, Grant: 600, AccessToken: 600, AuthorizationCode: 60, IdToken: 3600 },
  });
}

/** Login and consent in one step, as the login_hint says. */
async function interact(provider: Provider, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const details = await provider.interactionDetails(request, response);
  const hint = typeof details.params.login_hint === "string" ? details.params.login_hint : "alice";
  if (hint === "deny") {
    await provider.interactionFinished(request, response, { error: "access_denied", error_description: "the person said no" }, { mergeWithLastSubmission: false });
    return;
  }
  const grant = new provider.Grant({ accountId: hint, clientId: String(details.params.client_id) });
  grant.addOIDCScope(String(details.params.scope));
  const grantId = await grant.save();
  await provider.interactionFinished(request, response, { login: { accountId: hint }, consent: { grantId } }, { mergeWithLastSubmission: false });
}

/** Starts the provider on a free loopback port. */
export async function startOidcProvider(): Promise<TestOidcProvider> {
  let provider: Provider | undefined;
  const server = createServer((request, response) => {
    if (!provider) return void response.writeHead(503).end("not configured yet");
    const handle = request.url?.startsWith("/interaction/") ? interact(provider, request, response) : provider.callback()(request, response);
    Promise.resolve(handle).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { "content-type": "text/plain" });
      response.end(String(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    configure(redirectUris) {
      provider = newProvider(issuer, redirectUris);
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
