import { env } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { configuredProviders } from "../../src/worker/auth/providers.ts";

/** The worker's bindings with these sign-in settings instead of the suite's. */
const withSettings = (settings: Record<string, string>) => ({ ...env, AUTH_PROVIDERS: "", ...settings }) as Env;

describe("sign-in providers from configuration", () => {
  it("fills in the Google and GitHub presets and takes any issuer, each with its secret", () => {
    const providers = configuredProviders(
      withSettings({
        AUTH_PROVIDERS: JSON.stringify([
          { id: "google", clientId: "g-id" },
          { id: "github", clientId: "gh-id" },
          { id: "corp-sso", name: "Corp", issuer: "https://sso.example.com", clientId: "c-id" },
        ]),
        AUTH_GOOGLE_CLIENT_SECRET: "g-secret",
        AUTH_GITHUB_CLIENT_SECRET: "gh-secret",
        AUTH_CORP_SSO_CLIENT_SECRET: "c-secret",
      }),
    );
    expect(providers).toEqual([
      { kind: "oidc", id: "google", name: "Google", issuer: "https://accounts.google.com", clientId: "g-id", clientSecret: "g-secret" },
      { kind: "github", id: "github", name: "GitHub", url: "https://github.com", clientId: "gh-id", clientSecret: "gh-secret" },
      { kind: "oidc", id: "corp-sso", name: "Corp", issuer: "https://sso.example.com", clientId: "c-id", clientSecret: "c-secret" },
    ]);
  });

  it("takes a GitHub Enterprise Server's url for GitHub", () => {
    const [github] = configuredProviders(
      withSettings({
        AUTH_PROVIDERS: JSON.stringify([{ id: "github", clientId: "gh-id", url: "https://ghe.example.com/" }]),
        AUTH_GITHUB_CLIENT_SECRET: "gh-secret",
      }),
    );
    expect(github).toMatchObject({ kind: "github", url: "https://ghe.example.com" });
  });

  it("leaves out a provider without its secret, client id or issuer, or with a bad id or GitHub url, and says so in the log", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const providers = configuredProviders(
      withSettings({
        AUTH_PROVIDERS: JSON.stringify([
          { id: "google", clientId: "g-id" },
          { id: "corp", clientId: "c-id" },
          { id: "Bad Id", clientId: "x", issuer: "https://x.example" },
          { id: "okta", issuer: "https://okta.example" },
          { id: "github", clientId: "gh-id", url: "ftp://ghe.example.com" },
          null,
        ]),
        AUTH_CORP_CLIENT_SECRET: "c-secret",
        AUTH_GITHUB_CLIENT_SECRET: "gh-secret",
        AUTH_OKTA_CLIENT_SECRET: "o-secret",
      }),
    );
    expect(providers).toEqual([]);
    expect(warn.mock.calls.map(([line]) => JSON.parse(line as string)).map((w) => `${w.provider}: ${w.missing}`)).toEqual([
      "google: its secret",
      "corp: an issuer",
      "Bad Id: a valid id",
      "okta: a clientId",
      "github: a valid url",
      "undefined: a valid id",
    ]);
    warn.mockRestore();
  });

  it("reads none from an empty or unreadable setting", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    expect(configuredProviders(withSettings({ AUTH_PROVIDERS: "" }))).toEqual([]);
    expect(configuredProviders(withSettings({ AUTH_PROVIDERS: "[{" }))).toEqual([]);
    expect(configuredProviders(withSettings({ AUTH_PROVIDERS: '{"id":"google"}' }))).toEqual([]);
    expect(warn).toHaveBeenCalledTimes(1);
    warn.mockRestore();
  });
});
