// The headers a web app is expected to send, on the API and on the app's pages.
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { contentSecurityPolicy } from "../../src/worker/http/security-headers.ts";
import { ORIGIN } from "./client.ts";
import { livekitEnv } from "./livekit-env.ts";

describe("security headers", () => {
  it("go on API responses, errors included", async () => {
    for (const path of ["/api/health", "/api/no-such-endpoint"]) {
      const response = await SELF.fetch(`${ORIGIN}${path}`);
      await response.arrayBuffer();
      expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
      expect(response.headers.get("X-Frame-Options")).toBe("DENY");
      expect(response.headers.get("Referrer-Policy")).toBe("strict-origin-when-cross-origin");
      // Voice and video: camera, microphone and screen capture for the app itself, and nothing else asks.
      expect(response.headers.get("Permissions-Policy")?.split(", ")).toEqual(
        expect.arrayContaining(["camera=(self)", "microphone=(self)", "display-capture=(self)", "geolocation=()"]),
      );
      expect(response.headers.get("Strict-Transport-Security")).toContain("max-age=");
    }
  });

  it("give the app's document a CSP: own origin, no inline script, no framing; no HSTS on local http", async () => {
    const response = await SELF.fetch("http://localhost:8787/@intraliminal");
    expect(response.headers.get("Content-Type")).toContain("text/html");
    await response.arrayBuffer();
    const csp = response.headers.get("Content-Security-Policy")!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(response.headers.get("Strict-Transport-Security")).toBeNull();
  });

  it("lets the app connect to exactly its own origin and the configured LiveKit server", () => {
    expect(contentSecurityPolicy(livekitEnv)).toContain("connect-src 'self' ws://livekit.test:7880 http://livekit.test:7880;");
    expect(contentSecurityPolicy({ LIVEKIT_URL: "", LIVEKIT_API_KEY: "", LIVEKIT_API_SECRET: "" })).toContain("connect-src 'self';");
  });
});
