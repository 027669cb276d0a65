// Room occupancy from LiveKit's webhooks and the sweeper's reconciliation, and the empty-room race.
import { createExecutionContext, createMessageBatch, createScheduledController, getQueueResult } from "cloudflare:test";
import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import type { BeingId } from "../../src/shared/entities.ts";
import worker from "../../src/worker/index.ts";
import { databaseFingerprint, db, guest, space } from "./client.ts";
import { interceptLivekit, livekitEnv } from "./livekit-env.ts";
import { isOccupied, postWebhook, signWebhook, webhookBody } from "./occupancy.ts";

let livekit: ReturnType<typeof interceptLivekit> | undefined;
afterEach(() => livekit?.restore());

async function consume(space: BeingId) {
  const batch = createMessageBatch("spaces-sync", [{ id: crypto.randomUUID(), timestamp: new Date(), attempts: 1, body: { space } }]);
  await worker.queue(batch as MessageBatch<any>, livekitEnv);
  return getQueueResult(batch, createExecutionContext());
}

const broadcastSeq = async (room: BeingId) =>
  Number((await db<{ broadcast_seq: string }>(sql`SELECT broadcast_seq FROM space_sync WHERE space_id = ${room}`))[0]!.broadcast_seq);

describe("POST /api/livekit/webhook", () => {
  it("records a join and a leave of one connection; the room is occupied in between", async () => {
    const room = (await space(await guest("Owner"))).id;
    const identity = "@ada-abc123#conn000001";
    expect((await postWebhook(webhookBody("participant_joined", room, identity))).status).toBe(200);
    expect(await isOccupied(room)).toBe(true);
    expect((await postWebhook(webhookBody("participant_left", room, identity))).status).toBe(200);
    expect(await isOccupied(room)).toBe(false);
  });

  it("keeps a room occupied while any connection of any being is in it", async () => {
    const room = (await space(await guest("Owner"))).id;
    await postWebhook(webhookBody("participant_joined", room, "@ada#one"));
    await postWebhook(webhookBody("participant_joined", room, "@ada#two"));
    await postWebhook(webhookBody("participant_left", room, "@ada#one"));
    expect(await isOccupied(room)).toBe(true);
    await postWebhook(webhookBody("room_finished", room));
    expect(await isOccupied(room)).toBe(false);
  });

  it("ignores a late join that arrives after its own leave", async () => {
    const room = (await space(await guest("Owner"))).id;
    const joinedAt = Date.now() - 5_000;
    await postWebhook(webhookBody("participant_left", room, "@ada#late", joinedAt));
    await postWebhook(webhookBody("participant_joined", room, "@ada#late", joinedAt));
    expect(await isOccupied(room)).toBe(false);
  });

  it("refuses a missing, forged or tampered signature with 401 and changes nothing", async () => {
    const room = (await space(await guest("Owner"))).id;
    const body = webhookBody("participant_joined", room, "@mallory#x");
    const before = await databaseFingerprint();
    const forged = await signWebhook(body, livekitEnv.LIVEKIT_API_KEY, "another-secret-that-is-at-least-32-characters");
    const tampered = await signWebhook(body.replace("@mallory#x", "@mallory#y"));
    for (const authorization of [null, "", "not-a-jwt", forged, tampered]) {
      const response = await postWebhook(body, authorization);
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ error: { code: "UNAUTHENTICATED" } });
    }
    const [rows] = await db<{ n: number }>(sql`SELECT count(*)::int AS n FROM room_participants WHERE space_id = ${room}`);
    expect(rows!.n).toBe(0);
    expect(await isOccupied(room)).toBe(false);
    // Room occupancy is outside the fingerprint's tables; it shows nothing else moved either.
    expect(await databaseFingerprint()).toBe(before);
  });

  it("ignores rooms that are not spaces", async () => {
    expect((await postWebhook(webhookBody("participant_joined", "@no-such-space", "@ada#x"))).status).toBe(200);
    expect(await db(sql`SELECT 1 FROM room_participants WHERE space_id = '@no-such-space'`)).toHaveLength(0);
  });
});

describe("a person joining at the moment the room is judged empty", () => {
  it("joins after the consumer confirmed the room empty: the change is sent to them anyway", async () => {
    const owner = await guest("Owner");
    const room = (await space(owner)).id;
    const posted = (await owner.request("POST", `/api/spaces/${room}/intentions`, { content: "just before you came" })).body;
    livekit = interceptLivekit();
    await consume(room);
    expect(livekit.calls()).toBe(0);
    expect(await broadcastSeq(room)).toBe(posted.seq);
    await postWebhook(webhookBody("participant_joined", room, "@newcomer#1"));
    await consume(room); // the notice the webhook enqueued
    expect(livekit.sent.flatMap((s) => s.batch.changes.map((c) => c.seq))).toContain(posted.seq);
  });

  it("never loses the change, whichever of the consumer and the webhook wins, over many races", async () => {
    const owner = await guest("Owner");
    for (let round = 0; round < 12; round++) {
      const room = (await space(owner)).id;
      const posted = (await owner.request("POST", `/api/spaces/${room}/intentions`, { content: `race ${round}` })).body;
      livekit = interceptLivekit();
      const join = new Promise((resolve) => setTimeout(resolve, round % 4)).then(() => postWebhook(webhookBody("participant_joined", room, `@p#${round}`)));
      await Promise.all([consume(room), join]);
      await consume(room); // the webhook's notice
      const seqs = livekit.sent.filter((s) => s.room === room).flatMap((s) => s.batch.changes.map((c) => c.seq));
      expect(seqs, `round ${round}`).toContain(posted.seq);
      expect(await broadcastSeq(room)).toBeGreaterThanOrEqual(posted.seq);
      livekit.restore();
    }
  });
});

describe("reconciling occupancy from the sweeper", () => {
  it("uses one ListRooms for every room: finds rooms whose join webhooks were missed, empties those whose leaves were", async () => {
    const owner = await guest("Owner");
    const [missedJoin, missedLeave] = [(await space(owner)).id, (await space(owner)).id];
    await db(sql`INSERT INTO room_participants (space_id, identity, present, at) VALUES (${missedLeave}, '@gone#1', true, now() - interval '1 minute')`);
    const stillOccupied = (await db<{ space_id: string }>(sql`SELECT space_id FROM space_sync WHERE occupied AND space_id <> ${missedLeave}`)).map((r) => r.space_id);
    livekit = interceptLivekit(undefined, () => [...stillOccupied, missedJoin]);
    await worker.scheduled(createScheduledController({ cron: "* * * * *" }), { ...livekitEnv, SYNC_GRACE_SECONDS: "3600" });
    expect(livekit.listings).toHaveLength(1);
    expect(await isOccupied(missedJoin)).toBe(true);
    expect(await isOccupied(missedLeave)).toBe(false);
  });
});

describe("last seen, in the space's snapshot", () => {
  it("reports when each being located here was last in the room: now while connected, the leave after", async () => {
    const [ada, bob] = [await guest("Ada"), await guest("Bob")];
    const room = (await space(ada)).id;
    await ada.request("POST", `/api/spaces/${room}/enter`);
    const joined = Date.now() - 60_000;
    await postWebhook(webhookBody("participant_joined", room, `${ada.id}#tab`, joined));
    await postWebhook(webhookBody("participant_joined", room, `${bob.id}#tab`, joined)); // Bob is not located here
    const connected = (await ada.request("GET", `/api/spaces/${room}`)).body.presence;
    expect(Object.keys(connected.lastSeen)).toEqual([ada.id]);
    expect(Math.abs(Date.parse(connected.lastSeen[ada.id]) - Date.now())).toBeLessThan(5_000);
    expect(connected.awayListedSeconds).toBe(3600);
    const left = webhookBody("participant_left", room, `${ada.id}#tab`, joined);
    await postWebhook(left);
    const away = (await ada.request("GET", `/api/spaces/${room}`)).body.presence;
    expect(Date.parse(away.lastSeen[ada.id])).toBe(Number(JSON.parse(left).createdAt) * 1000);
  });
});
