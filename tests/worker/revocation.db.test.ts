// Taking data publishing back from a flooder: a reader of the space reports a connection it muted
// (POST /api/spaces/:id/muted); one UpdateParticipant call takes data from that connection, and its
// being's next tokens for the room leave it out, until the revocation ends.
import { sql } from "drizzle-orm";
import { TokenVerifier } from "livekit-server-sdk";
import { afterEach, describe, expect, it } from "vitest";
import type { BeingId } from "../../src/shared/entities.ts";
import { PUBLISH_REVOCATION_SECONDS } from "../../src/worker/settings.ts";
import { Client, db, guest, space, superuser } from "./client.ts";
import { callWithLivekit as call, interceptLivekit, livekitEnv } from "./livekit-env.ts";
import { occupy } from "./occupancy.ts";

let livekit: ReturnType<typeof interceptLivekit> | undefined;
afterEach(() => livekit?.restore());

const report = (reader: Client, room: BeingId, identity: string) => call(reader, "POST", `/api/spaces/${room}/muted`, { identity });

/** Whether a fresh token of `client` for `room` may publish data. */
async function tokenPublishesData(client: Client, room: BeingId): Promise<boolean | undefined> {
  const reply = await call(client, "POST", `/api/spaces/${room}/token`);
  expect(reply.status).toBe(200);
  const claims = await new TokenVerifier(livekitEnv.LIVEKIT_API_KEY, livekitEnv.LIVEKIT_API_SECRET).verify(reply.body.token);
  return claims.video?.canPublishData;
}

/** A room with a reader and a flooder (one connection of theirs in the room). */
async function flooded() {
  const reader = await guest("Reader");
  const flooder = await guest("Flooder");
  const room = (await space(reader)).id;
  const identity = `${flooder.id}#flood00001`;
  await occupy(room, identity);
  return { reader, flooder, room, identity };
}

const revocations = (room: BeingId) => db<{ being_id: string; applied: boolean }>(sql`SELECT being_id, applied FROM publish_revocations WHERE space_id = ${room}`);

describe("POST /api/spaces/:id/muted", () => {
  it("takes data from the muted connection with one UpdateParticipant call, keeping its media and subscription", async () => {
    const { reader, flooder, room, identity } = await flooded();
    livekit = interceptLivekit();
    const before = Date.now();
    const reply = await report(reader, room, identity);
    expect(reply.status).toBe(200);
    expect(reply.body.revocation).toMatchObject({ space: room, identity, applied: true });
    const until = new Date(reply.body.revocation.until).getTime();
    expect(until).toBeGreaterThanOrEqual(before + PUBLISH_REVOCATION_SECONDS * 1000 - 1000);
    expect(livekit.calls()).toBe(1);
    expect(livekit.updates).toEqual([
      {
        room,
        identity,
        permission: expect.objectContaining({ canSubscribe: true, canPublish: true, canUpdateMetadata: true }),
      },
    ]);
    // Protobuf's JSON leaves a false field out: absent is false.
    expect(livekit.updates[0]!.permission.canPublishData ?? false).toBe(false);
    expect(livekit.updates[0]!.permission.canPublishSources).toEqual(["CAMERA", "MICROPHONE", "SCREEN_SHARE", "SCREEN_SHARE_AUDIO"]);
    expect(await revocations(room)).toEqual([{ being_id: flooder.id, applied: true }]);
  });

  it("leaves data out of the flooder's next tokens for that room only, and not out of anyone else's", async () => {
    const { reader, flooder, room, identity } = await flooded();
    livekit = interceptLivekit();
    expect(await tokenPublishesData(flooder, room)).toBe(true);
    await report(reader, room, identity);
    expect(await tokenPublishesData(flooder, room)).toBe(false);
    expect(await tokenPublishesData(reader, room)).toBe(true);
    expect(await tokenPublishesData(flooder, "@intraliminal" as BeingId)).toBe(true);
  });

  it("costs no further call while the revocation is in force, whoever reports it again", async () => {
    const { reader, room, identity } = await flooded();
    const other = await guest("Other");
    livekit = interceptLivekit();
    const first = await report(reader, room, identity);
    const again = await report(other, room, identity);
    expect(again.status).toBe(200);
    expect(again.body.revocation).toEqual(first.body.revocation);
    expect(livekit.calls()).toBe(1);
  });

  it("begins a new revocation once the last has ended", async () => {
    const { reader, room, identity } = await flooded();
    livekit = interceptLivekit();
    await report(reader, room, identity);
    await db(sql`UPDATE publish_revocations SET until = now() - interval '1 second' WHERE space_id = ${room}`);
    const again = await report(reader, room, identity);
    expect(new Date(again.body.revocation.until).getTime()).toBeGreaterThan(Date.now());
    expect(livekit.updates).toHaveLength(2);
  });

  it("keeps the revocation for new tokens when LiveKit refuses the call", async () => {
    const { reader, flooder, room, identity } = await flooded();
    livekit = interceptLivekit(() => true);
    const reply = await report(reader, room, identity);
    expect(reply.status).toBe(200);
    expect(reply.body.revocation.applied).toBe(false);
    expect(await revocations(room)).toEqual([{ being_id: flooder.id, applied: false }]);
    livekit.restore();
    livekit = interceptLivekit();
    expect(await tokenPublishesData(flooder, room)).toBe(false);
  });

  it("refuses a connection that is not in the room (404), and changes nothing", async () => {
    const { reader, flooder, room } = await flooded();
    livekit = interceptLivekit();
    const reply = await report(reader, room, `${flooder.id}#notinroom1`);
    expect(reply.status).toBe(404);
    expect(reply.body.error.code).toBe("NOT_FOUND");
    expect(await revocations(room)).toEqual([]);
    expect(livekit.calls()).toBe(0);
  });

  it("is refused to anonymous callers (401), to non-readers of a private space (404), and for a malformed identity (400)", async () => {
    const owner = await guest("Owner");
    const stranger = await guest("Stranger");
    const hidden = (await space(owner, { private: true })).id;
    const identity = `${owner.id}#owner00001`;
    await occupy(hidden, identity);
    livekit = interceptLivekit();
    expect((await report(new Client(), hidden, identity)).status).toBe(401);
    expect((await report(stranger, hidden, identity)).status).toBe(404);
    for (const bad of ["", "no-at#abc", `${owner.id}`, `${owner.id}#`, `${owner.id}#a b`, `x`.repeat(200)]) {
      const reply = await report(owner, hidden, bad);
      expect(reply.status, bad).toBe(400);
      expect(reply.body.error.code).toBe("VALIDATION");
    }
    expect(await revocations(hidden)).toEqual([]);
    expect(livekit.calls()).toBe(0);
  });

  it("refuses a session's fifth report within a minute (429)", async () => {
    const { reader, flooder, room } = await flooded();
    livekit = interceptLivekit();
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await report(reader, room, `${flooder.id}#absent000${i}`)).status);
    expect(statuses).toEqual([404, 404, 404, 404, 429]);
  });

  it("shows on the operator page", async () => {
    const { reader, room, identity } = await flooded();
    livekit = interceptLivekit();
    await report(reader, room, identity);
    const stats = await call(await superuser(), "GET", "/api/admin/stats");
    expect(stats.status).toBe(200);
    expect(stats.body.revocations).toContainEqual(expect.objectContaining({ space: room, identity, applied: true }));
  });
});
