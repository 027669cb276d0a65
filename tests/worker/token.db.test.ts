import { TokenVerifier } from "livekit-server-sdk";
import { describe, expect, it } from "vitest";
import { beingOfIdentity } from "../../src/shared/presence.ts";
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
  it("grants one connection of the caller's being: subscribe, camera/microphone/screen only, never data, for a bounded time", async () => {
    const ada = await guest("Ada");
    const reply = await token(ada.cookie, "@intraliminal");
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ url: "ws://livekit.test:7880", room: "@intraliminal" });
    expect(reply.body.identity).toMatch(new RegExp(`^${ada.id}#[a-z0-9]{10}$`));
    expect(beingOfIdentity(reply.body.identity)).toBe(ada.id);
    const claims = await new TokenVerifier(livekitEnv.LIVEKIT_API_KEY, livekitEnv.LIVEKIT_API_SECRET).verify(reply.body.token);
    expect(claims.sub).toBe(reply.body.identity);
    expect(claims.video).toMatchObject({
      room: "@intraliminal",
      roomJoin: true,
      canSubscribe: true,
      canPublish: true,
      canPublishData: true,
      canUpdateOwnMetadata: true,
      canPublishSources: ["camera", "microphone", "screen_share", "screen_share_audio"],
    });
    // Nothing beyond joining: no room administration, recording, hiding, or publishing on another's behalf.
    expect(Object.keys(claims.video!).sort()).toEqual(
      ["canPublish", "canPublishData", "canPublishSources", "canSubscribe", "canUpdateOwnMetadata", "room", "roomJoin"].sort(),
    );
    const lifetime = (claims.exp as number) - (claims.nbf as number);
    expect(lifetime).toBeGreaterThan(0);
    expect(lifetime).toBeLessThanOrEqual(15 * 60);
  });

  it("names a new connection each time, so two tabs of one being are both in the room", async () => {
    const ada = await guest("Ada");
    const [one, two] = [await token(ada.cookie, "@intraliminal"), await token(ada.cookie, "@intraliminal")];
    expect(one.body.identity).not.toBe(two.body.identity);
    expect(beingOfIdentity(one.body.identity)).toBe(beingOfIdentity(two.body.identity));
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
