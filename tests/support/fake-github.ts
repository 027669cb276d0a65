/**
 * A small GitHub on loopback: the OAuth web flow of an OAuth App and the user API, as GitHub documents them
 * (docs.github.com: "Authorizing OAuth apps", "Troubleshooting OAuth app access token request errors",
 * "Get the authenticated user"), laid out like a GitHub Enterprise Server (the API under /api/v3):
 *
 *   GET  /login/oauth/authorize      the person approves at once and is sent back to redirect_uri with code and
 *                                    state. GitHub's `login` parameter picks who they are (any login; `deny`
 *                                    says no: error=access_denied). A login ending in "-noname" has no name.
 *   POST /login/oauth/access_token   form body; client credentials by basic auth or in the body; the code is
 *                                    good once, for 10 minutes, with the redirect_uri and the PKCE verifier of
 *                                    its authorization. Errors are GitHub's: status 200 and an `error` field.
 *                                    JSON with `Accept: application/json`, else form-encoded (as GitHub).
 *   GET  /api/v3/user                `Authorization: Bearer <token>` (or `token <token>`) → { id, login, name }
 *   GET  /api/v3/users/{login}       a public profile, { id, login, name } (how tests learn a person's id)
 *
 * One OAuth App is registered, with one callback URL; redirect_uri must equal it (GitHub also allows a
 * subdirectory of it: stricter here).
 */
import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { readBody } from "./http.ts";

export interface FakeGitHub {
  /** The server's address, as a GitHub Enterprise Server's `url`. */
  url: string;
  close(): Promise<void>;
}

interface App {
  clientId: string;
  clientSecret: string;
  callbackUrl: string;
}

interface User {
  id: number;
  login: string;
  name: string | null;
}

interface Grant {
  user: User;
  redirectUri: string;
  challenge: string | undefined;
  expires: number;
}

const CODE_LIFETIME_MS = 10 * 60 * 1000;
const TROUBLESHOOTING = "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors";

/** GitHub's token endpoint errors: the message and link it sends with each. */
const TOKEN_ERRORS = {
  incorrect_client_credentials: ["The client_id and/or client_secret passed are incorrect.", "#incorrect-client-credentials"],
  redirect_uri_mismatch: ["The redirect_uri MUST match the registered callback URL for this application.", "#redirect-uri-mismatch2"],
  bad_verification_code: ["The code passed is incorrect or expired.", "#bad-verification-code"],
} as const;

const random = () => randomBytes(20).toString("hex");

// RFC 6749 §2.3.1: each half of the basic credentials is form-urlencoded before base64.
const formDecode = (value: string) => decodeURIComponent(value.replace(/\+/g, " "));

/** Client credentials from `Authorization: Basic …`, else from the form body. */
function clientCredentials(request: IncomingMessage, form: URLSearchParams): { id: string | null; secret: string | null } {
  const basic = /^Basic (.+)$/i.exec(request.headers.authorization ?? "");
  if (!basic) return { id: form.get("client_id"), secret: form.get("client_secret") };
  const decoded = Buffer.from(basic[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon < 0 ? { id: null, secret: null } : { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
}

/** Starts the server on a free loopback port with `app` registered. */
export async function startFakeGitHub(app: App): Promise<FakeGitHub> {
  const users = new Map<string, User>();
  const codes = new Map<string, Grant>();
  const tokens = new Map<string, User>();

  const userNamed = (login: string): User => {
    let user = users.get(login);
    if (!user) {
      user = { id: 1_000_000 + users.size, login, name: login.endsWith("-noname") ? null : `GitHub ${login}` };
      users.set(login, user);
    }
    return user;
  };

  function authorize(url: URL, response: ServerResponse) {
    if (url.searchParams.get("client_id") !== app.clientId) {
      response.writeHead(404, { "Content-Type": "text/plain" });
      return response.end("Not Found");
    }
    const redirectUri = url.searchParams.get("redirect_uri") ?? app.callbackUrl;
    const back = new URL(redirectUri === app.callbackUrl ? redirectUri : app.callbackUrl);
    const state = url.searchParams.get("state");
    const login = url.searchParams.get("login") || "octocat";
    if (redirectUri !== app.callbackUrl) {
      back.searchParams.set("error", "redirect_uri_mismatch");
      back.searchParams.set("error_description", "The redirect_uri MUST match the registered callback URL for this application.");
    } else if (login === "deny") {
      back.searchParams.set("error", "access_denied");
      back.searchParams.set("error_description", "The user has denied your application access.");
    } else {
      const method = url.searchParams.get("code_challenge_method");
      const challenge = url.searchParams.get("code_challenge") ?? undefined;
      if (challenge && method !== "S256") {
        response.writeHead(400, { "Content-Type": "text/plain" });
        return response.end("code_challenge_method must be S256");
      }
      const code = random();
      codes.set(code, { user: userNamed(login), redirectUri, challenge, expires: Date.now() + CODE_LIFETIME_MS });
      back.searchParams.set("code", code);
    }
    if (state !== null) back.searchParams.set("state", state);
    response.writeHead(302, { Location: back.href });
    response.end();
  }

  async function accessToken(request: IncomingMessage, response: ServerResponse) {
    const form = new URLSearchParams(await readBody(request));
    const json = (request.headers.accept ?? "").includes("application/json");
    const answer = (fields: Record<string, string>) => {
      response.writeHead(200, { "Content-Type": json ? "application/json; charset=utf-8" : "application/x-www-form-urlencoded; charset=utf-8" });
      response.end(json ? JSON.stringify(fields) : new URLSearchParams(fields).toString());
    };
    const refuse = (error: keyof typeof TOKEN_ERRORS) => {
      const [description, anchor] = TOKEN_ERRORS[error];
      answer({ error, error_description: description, error_uri: `${TROUBLESHOOTING}/${anchor}` });
    };

    const client = clientCredentials(request, form);
    if (client.id !== app.clientId || client.secret !== app.clientSecret) return refuse("incorrect_client_credentials");
    const code = form.get("code") ?? "";
    const grant = codes.get(code);
    codes.delete(code); // good once, whatever happens next
    if (!grant || grant.expires < Date.now()) return refuse("bad_verification_code");
    if (form.has("redirect_uri") && form.get("redirect_uri") !== grant.redirectUri) return refuse("redirect_uri_mismatch");
    // GitHub documents no separate error for a wrong verifier; the code is then as good as a wrong one.
    const verifier = form.get("code_verifier");
    if (grant.challenge && (!verifier || createHash("sha256").update(verifier).digest("base64url") !== grant.challenge)) return refuse("bad_verification_code");
    const token = `gho_${random()}`;
    tokens.set(token, grant.user);
    answer({ access_token: token, scope: "read:user", token_type: "bearer" });
  }

  function json(response: ServerResponse, status: number, body: unknown) {
    response.writeHead(status, { "Content-Type": "application/json; charset=utf-8" });
    response.end(JSON.stringify(body));
  }

  function user(request: IncomingMessage, response: ServerResponse) {
    const token = /^(?:Bearer|token) (.+)$/i.exec(request.headers.authorization ?? "")?.[1];
    const found = token ? tokens.get(token) : undefined;
    json(response, found ? 200 : 401, found ?? { message: "Bad credentials", documentation_url: "https://docs.github.com/rest", status: "401" });
  }

  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? "/", "http://github.local");
    const route = `${request.method} ${url.pathname}`;
    if (route === "GET /login/oauth/authorize") return authorize(url, response);
    if (route === "POST /login/oauth/access_token") return accessToken(request, response);
    if (route === "GET /api/v3/user") return user(request, response);
    const profile = /^GET \/api\/v3\/users\/([^/]+)$/.exec(route);
    const found = profile ? users.get(decodeURIComponent(profile[1]!)) : undefined;
    if (found) return json(response, 200, found);
    json(response, 404, { message: "Not Found", documentation_url: "https://docs.github.com/rest", status: "404" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
