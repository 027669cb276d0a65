import { describe, expect, it } from "vitest";
import { workerSettingsIn } from "../../scripts/local/settings.ts";

describe("workerSettingsIn", () => {
  it("keeps the settings .dev.vars.example documents and the sign-in providers' secrets, nothing else", () => {
    expect(workerSettingsIn({
      BOT_API_BASE_URL: "http://127.0.0.1:11434/v1",
      GUEST_SIGNIN: "off",
      AUTH_CORP_SSO_CLIENT_SECRET: "s3cret",
      PATH: "/usr/bin",
      HOME: "/home/someone",
      AUTH_CORP_SSO_CLIENT_ID: "not a setting",
      SUPERUSER_IDS: undefined,
    })).toEqual({
      BOT_API_BASE_URL: "http://127.0.0.1:11434/v1",
      GUEST_SIGNIN: "off",
      AUTH_CORP_SSO_CLIENT_SECRET: "s3cret",
    });
  });

  it("passes the operator's default bot key and its daily limits to npm run dev", () => {
    const bots = { BOT_DEFAULT_API_KEY: "sk-operator", BOT_DEFAULT_DAILY_TOKENS_PER_BEING: "5000", BOT_DEFAULT_DAILY_TOKENS: "50000" };
    expect(workerSettingsIn(bots)).toEqual(bots);
  });
});
