/**
 * Sign-in providers from configuration. `AUTH_PROVIDERS` (a var) is a JSON list of
 * `{ id, clientId, name?, issuer?, url? }`; each provider's client secret is the worker secret
 * `AUTH_<ID>_CLIENT_SECRET` (id upper-cased, "-" as "_"). `google` and `github` are presets (their issuer or
 * endpoints and name are known; `github` takes a `url` for a GitHub Enterprise Server, github.com by default);
 * any other id needs an `issuer` that serves OpenID Connect discovery.
 * A provider missing its client id or secret is not configured, and so not offered.
 */
import { providerId } from "../../shared/schemas.ts";

interface Common {
  id: string;
  name: string;
  clientId: string;
  clientSecret: string;
}

/** An OpenID Connect issuer: discovery, authorization code + PKCE, and a verified ID token. */
interface OidcProvider extends Common {
  kind: "oidc";
  issuer: string;
}

/**
 * GitHub speaks OAuth 2.0, not OpenID Connect: no discovery, no ID token, no nonce. The person is who
 * GitHub's user API says the access token belongs to (code + PKCE + state still apply).
 */
export interface GitHubProvider extends Common {
  kind: "github";
  /** Where GitHub is: https://github.com, or a GitHub Enterprise Server's address (no trailing slash). */
  url: string;
}

export const GITHUB_URL = "https://github.com";

/** A GitHub `url` as given, without its trailing slash, or undefined if it is not an http(s) URL. */
function gitHubUrl(url: unknown): string | undefined {
  if (url === undefined) return GITHUB_URL;
  if (typeof url !== "string" || !URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) return undefined;
  return url.replace(/\/+$/, "");
}

export type Provider = OidcProvider | GitHubProvider;

const PRESETS: Record<string, { name: string; issuer?: string; kind: Provider["kind"] }> = {
  google: { name: "Google", issuer: "https://accounts.google.com", kind: "oidc" },
  github: { name: "GitHub", kind: "github" },
};

function secretOf(env: Env, id: string): string {
  const value = (env as unknown as Record<string, unknown>)[`AUTH_${id.toUpperCase().replace(/-/g, "_")}_CLIENT_SECRET`];
  return typeof value === "string" ? value : "";
}

/** Every configured provider, in configuration order; entries that are incomplete or malformed are left out (and logged). */
export function configuredProviders(env: Env): Provider[] {
  if (!env.AUTH_PROVIDERS.trim()) return [];
  let entries: unknown;
  try {
    entries = JSON.parse(env.AUTH_PROVIDERS);
  } catch {
    console.warn(JSON.stringify({ level: "warn", event: "auth_providers_unreadable", reason: "AUTH_PROVIDERS is not JSON" }));
    return [];
  }
  const providers: Provider[] = [];
  for (const entry of Array.isArray(entries) ? entries : []) {
    const { id, clientId, name, issuer, url } = (entry ?? {}) as Record<string, unknown>;
    const preset = typeof id === "string" && Object.hasOwn(PRESETS, id) ? PRESETS[id] : undefined;
    const clientSecret = typeof id === "string" ? secretOf(env, id) : "";
    const missing = !providerId.safeParse(id).success
      ? "a valid id"
      : typeof clientId !== "string" || !clientId
        ? "a clientId"
        : !clientSecret
          ? "its secret"
          : preset?.kind !== "github" && typeof issuer !== "string" && !preset?.issuer
            ? "an issuer"
            : preset?.kind === "github" && !gitHubUrl(url)
              ? "a valid url"
              : undefined;
    if (missing) {
      console.warn(JSON.stringify({ level: "warn", event: "auth_provider_left_out", provider: String(id), missing }));
      continue;
    }
    const base = { id: id as string, name: typeof name === "string" && name ? name : (preset?.name ?? (id as string)), clientId: clientId as string, clientSecret };
    providers.push(preset?.kind === "github" ? { ...base, kind: "github", url: gitHubUrl(url)! } : { ...base, kind: "oidc", issuer: typeof issuer === "string" ? issuer : preset!.issuer! });
  }
  return providers;
}

/** The configured provider with this id, if any. */
export function findProvider(env: Env, id: string): Provider | undefined {
  return configuredProviders(env).find((p) => p.id === id);
}
