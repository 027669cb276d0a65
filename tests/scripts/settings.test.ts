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
});
