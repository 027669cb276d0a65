import { TokenVerifier } from "livekit-server-sdk";
import { describe, expect, it } from "vitest";
import { app } from "../../src/worker/app.ts";
import { guest, ORIGIN, space } from "./client.ts";
import { livekitEnv } from "./livekit-env.ts";

async function token(cookie: string | null, spaceId: string) {
  const response = await app.request(`${ORIGIN}/api/spaces/${spaceId}/token`, {
    method: "POST",
    headers: { Origin: ORIGIN, ...(cookie ? { Cookie: cookie } : {}) },
  }, livekitEnv);
  return { status: response.status, body: await response.json<any>() };
}

describe("POST /api/spaces/:id/token", () => {
  it("grants subscribe-only access to the space's room as the caller's being, for a bounded time", async () => {
    const ada = await guest("Ada");
    const reply = await token(ada.cookie, "@intraliminal");
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ url: "ws://livekit.test:7880", room: "@intraliminal", identity: ada.id });
    const claims = await new TokenVerifier(livekitEnv.LIVEKIT_API_KEY, livekitEnv.LIVEKIT_API_SECRET).verify(reply.body.token);
    expect(claims.sub).toBe(ada.id);
    expect(claims.video).toMatchObject({ room: "@intraliminal", roomJoin: true, canSubscribe: true, canPublish: false, canPublishData: false });
    const lifetime = (claims.exp as number) - (claims.nbf as number);
    expect(lifetime).toBeGreaterThan(0);
    expect(lifetime).toBeLessThanOrEqual(15 * 60);
  });

  it("is refused to anonymous callers and to non-members of a private space", async () => {
    const owner = await guest("Owner");
    const stranger = await guest("Stranger");
    const hidden = await space(owner, { private: true });
    expect((await token(null, "@intraliminal")).status).toBe(401);
    expect((await token(stranger.cookie, hidden.id)).status).toBe(404);
    expect((await token(owner.cookie, hidden.id)).status).toBe(200);
  });
});
