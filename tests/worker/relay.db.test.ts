// The fast path's server side: a write answers with its own changes, signed (`sync`); a writer that
// says `Sync-Relay: 1` has their broadcast held for the grace, and its confirmation (POST
// /api/spaces/:id/relayed) lets the broadcast skip them. Nothing is lost when no confirmation comes.
import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from "cloudflare:test";
import { sql } from "drizzle-orm";
import superjson from "superjson";
import { afterEach, describe, expect, it } from "vitest";
import type { BeingId } from "../../src/shared/entities.ts";
import { importSyncKey, verifySignedBatch, type SignedBatch, type SyncKey } from "../../src/shared/signing.ts";
import type { SyncBatch } from "../../src/shared/sync.ts";
import { app } from "../../src/worker/app.ts";
import worker from "../../src/worker/index.ts";
import { SYNC_RELAY_GRACE_SECONDS } from "../../src/worker/settings.ts";
import { Client, db, guest, ORIGIN, space } from "./client.ts";
import { interceptLivekit, livekitEnv } from "./livekit-env.ts";
import { occupy } from "./occupancy.ts";
import { consume, recordingQueue } from "./queue.ts";

let livekit: ReturnType<typeof interceptLivekit> | undefined;
afterEach(() => livekit?.restore());

const RELAY = { "Sync-Relay": "1" };

const batchOf = (signed: SignedBatch): SyncBatch => superjson.parse(signed.payload);

/** Posts `content` in `room`, relaying when asked; returns the response body. */
async function post(writer: Client, room: BeingId, content: string, relay = false) {
  const reply = await writer.request("POST", `/api/spaces/${room}/intentions`, { content }, relay ? RELAY : {});
  expect(reply.status).toBe(201);
  return reply.body as { intention: { id: string }; seq: number; sync: SignedBatch[] };
}

const committed = async (reader: Client, room: BeingId, after: number) =>
  (await reader.request("GET", `/api/spaces/${room}/changes?after=${after}`)).body.changes;

const broadcastSeq = async (room: BeingId) =>
  Number((await db<{ broadcast_seq: string }>(sql`SELECT broadcast_seq FROM space_sync WHERE space_id = ${room}`))[0]!.broadcast_seq);

/** Ends the relay grace of every change in `room` now, as if it had passed. */
const endGrace = (room: BeingId) => db(sql`UPDATE changes SET relay_until = now() - interval '1 millisecond' WHERE space_id = ${room} AND relay_until IS NOT NULL`);

const confirm = (writer: Client, room: BeingId, to: number) => writer.request("POST", `/api/spaces/${room}/relayed`, { to });

/** An occupied room of its own, owned by a new guest, whose creation is already broadcast. */
async function occupiedRoom(): Promise<{ owner: Client; room: BeingId }> {
  const owner = await guest("Owner");
  const room = (await space(owner)).id;
  await occupy(room);
  await db(sql`UPDATE space_sync SET broadcast_seq = last_seq WHERE space_id = ${room}`);
  return { owner, room };
}

describe("the sync a write answers with", () => {
  it("is signed with a listed key: it verifies, and a flipped byte does not", async () => {
    const { owner, room } = await occupiedRoom();
    const { sync } = await post(owner, room, "signed");
    expect(sync).toHaveLength(1);
    const { keys } = (await owner.request("GET", "/api/sync/keys")).body as { keys: SyncKey[] };
    const key = await importSyncKey(keys.find((k) => k.kid === sync[0]!.kid)!);
    expect(await verifySignedBatch(key, sync[0]!)).toBe(true);
    const payload = sync[0]!.payload;
    const flipped = payload.slice(0, 10) + String.fromCharCode(payload.charCodeAt(10) ^ 1) + payload.slice(11);
    expect(await verifySignedBatch(key, { ...sync[0]!, payload: flipped })).toBe(false);
  });

  it("covers exactly the changes a post appended", async () => {
    const { owner, room } = await occupiedRoom();
    await post(owner, room, "before");
    const { seq, sync } = await post(owner, room, "this one");
    await post(owner, room, "after");
    expect(sync.map(batchOf)).toMatchObject([{ v: 1, space: room, from: seq, to: seq }]);
    expect(JSON.parse(JSON.stringify(batchOf(sync[0]!).changes))).toEqual((await committed(owner, room, seq - 1)).slice(0, 1));
  });

  it("covers exactly an edit's change", async () => {
    const { owner, room } = await occupiedRoom();
    const { intention } = await post(owner, room, "draft");
    const edit = await owner.request("PATCH", `/api/intentions${intention.id}`, { content: "final" });
    expect(edit.status).toBe(200);
    const [batch] = edit.body.sync.map(batchOf);
    expect(edit.body.sync).toHaveLength(1);
    expect(batch).toMatchObject({ space: room, from: edit.body.seq, to: edit.body.seq });
    expect(JSON.parse(JSON.stringify(batch.changes))).toEqual(await committed(owner, room, edit.body.seq - 1));
  });

  it("covers both spaces of a being's move, each with its own change", async () => {
    const owner = await guest("Owner");
    const [from, to] = [(await space(owner)).id, (await space(owner)).id];
    const thing = (await owner.request("POST", "/api/beings", { name: "Thing", type: "document", locationId: from })).body.being;
    const move = await owner.request("PATCH", `/api/beings/${thing.id}`, { locationId: to });
    expect(move.status).toBe(200);
    const batches = (move.body.sync as SignedBatch[]).map(batchOf);
    expect(batches.map((b) => b.space).sort()).toEqual([from, to].sort());
    for (const batch of batches) {
      const log = await committed(owner, batch.space, batch.from - 1);
      expect(batch.to).toBe(log.at(-1).seq);
      expect(JSON.parse(JSON.stringify(batch.changes))).toEqual(log.filter((c: { id: string }) => c.id === thing.id));
    }
  });

  it("is empty for a repeated post, which writes nothing", async () => {
    const { owner, room } = await occupiedRoom();
    const id = `/${crypto.randomUUID().replaceAll("-", "").slice(0, 26).toUpperCase()}`;
    const first = await owner.request("POST", `/api/spaces/${room}/intentions`, { id, content: "once" }, RELAY);
    const repeat = await owner.request("POST", `/api/spaces/${room}/intentions`, { id, content: "once" }, RELAY);
    expect([first.status, repeat.status]).toEqual([201, 200]);
    expect(first.body.sync).toHaveLength(1);
    expect(repeat.body.sync).toEqual([]);
  });

  it("comes on entering a space and creating a being too", async () => {
    const owner = await guest("Owner");
    const room = (await space(owner)).id;
    const created = await owner.request("POST", "/api/beings", { name: "Thing", type: "document", locationId: room });
    expect(created.body.sync.map(batchOf).map((b: SyncBatch) => b.space)).toEqual([room]);
    const entered = await owner.request("POST", `/api/spaces/${room}/enter`);
    expect(entered.body.sync.map(batchOf).map((b: SyncBatch) => b.space)).toContain(room);
  });
});

describe("a relayed write's notice", () => {
  it("waits for the grace; a write without Sync-Relay notifies at once", async () => {
    const owner = await guest("Owner");
    const room = (await space(owner)).id;
    const recorder = recordingQueue();
    const write = async (headers: Record<string, string>) => {
      const ctx = createExecutionContext();
      const response = await app.request(`${ORIGIN}/api/spaces/${room}/intentions`, {
        method: "POST",
        headers: { Origin: ORIGIN, Cookie: owner.cookie!, "Content-Type": "application/json", ...headers },
        body: JSON.stringify({ content: "hello" }),
      }, { ...env, SYNC_QUEUE: recorder.queue }, ctx);
      await waitOnExecutionContext(ctx);
      expect(response.status).toBe(201);
    };
    await write(RELAY);
    await write({});
    expect(recorder.sent).toEqual([{ space: room, delaySeconds: SYNC_RELAY_GRACE_SECONDS }, { space: room, delaySeconds: undefined }]);
  });
});

describe("the broadcast of relayed writes", () => {
  it("never sends a change its writer confirmed in time: no SendData, and broadcast_seq moves past it", async () => {
    const { owner, room } = await occupiedRoom();
    const { seq } = await post(owner, room, "relayed", true);
    expect((await confirm(owner, room, seq)).status).toBe(204);
    await endGrace(room);
    livekit = interceptLivekit();
    await consume([room], livekitEnv);
    expect(livekit.sent.filter((s) => s.room === room)).toEqual([]);
    expect(livekit.calls()).toBe(0);
    expect(await broadcastSeq(room)).toBe(seq);
  });

  it("holds an unconfirmed change for its grace, then broadcasts it (the real 2 s)", async () => {
    const { owner, room } = await occupiedRoom();
    const { seq } = await post(owner, room, "never confirmed", true);
    livekit = interceptLivekit();
    const recorder = recordingQueue();
    const held = await consume([room], { ...livekitEnv, SYNC_QUEUE: recorder.queue });
    expect(livekit.sent.filter((s) => s.room === room)).toEqual([]);
    // The held turn comes back by itself once the grace ends.
    expect(held.explicitAcks).toHaveLength(1);
    expect(recorder.sent).toHaveLength(1);
    expect(recorder.sent[0]!.delaySeconds).toBeLessThanOrEqual(SYNC_RELAY_GRACE_SECONDS);
    await new Promise((resolve) => setTimeout(resolve, SYNC_RELAY_GRACE_SECONDS * 1000 + 100));
    await consume([room], livekitEnv);
    expect(livekit.sent.filter((s) => s.room === room).map((s) => [s.batch.from, s.batch.to])).toEqual([[seq, seq]]);
    expect(await broadcastSeq(room)).toBe(seq);
  });

  it("broadcasts a write without Sync-Relay at once", async () => {
    const { owner, room } = await occupiedRoom();
    const { seq } = await post(owner, room, "plain");
    livekit = interceptLivekit();
    await consume([room], livekitEnv);
    expect(livekit.sent.filter((s) => s.room === room).map((s) => s.batch.to)).toEqual([seq]);
  });

  it("sends a change nobody relayed amid relayed ones as its own batch, covering only its seq", async () => {
    const { owner, room } = await occupiedRoom();
    const before = await broadcastSeq(room);
    const a = await post(owner, room, "relayed a", true);
    const b = await post(owner, room, "plain b");
    const c = await post(owner, room, "relayed c", true);
    await confirm(owner, room, c.seq);
    livekit = interceptLivekit();
    await consume([room], livekitEnv);
    const sent = livekit.sent.filter((s) => s.room === room);
    expect(sent.map((s) => [s.batch.from, s.batch.to])).toEqual([[b.seq, b.seq]]);
    expect(sent[0]!.batch.changes.map((change) => change.seq)).toEqual([b.seq]);
    expect([before, a.seq, c.seq]).toEqual([a.seq - 1, b.seq - 1, b.seq + 1]);
    expect(await broadcastSeq(room)).toBe(c.seq);
  });

  it("sends a change still in its grace with a later due one, rather than hold the due one", async () => {
    const { owner, room } = await occupiedRoom();
    const a = await post(owner, room, "relayed, not yet confirmed", true);
    const b = await post(owner, room, "plain");
    livekit = interceptLivekit();
    await consume([room], livekitEnv);
    expect(livekit.sent.filter((s) => s.room === room).map((s) => [s.batch.from, s.batch.to])).toEqual([[a.seq, b.seq]]);
  });

  it("loses nothing when the confirmation is lost: the sweeper waits out the grace, then sends", async () => {
    const { owner, room } = await occupiedRoom();
    const { seq } = await post(owner, room, "its confirmation was lost", true);
    const listed = (await db<{ space_id: string }>(sql`SELECT space_id FROM space_sync WHERE occupied`)).map((r) => r.space_id);
    livekit = interceptLivekit(undefined, () => listed);
    const sweep = () => worker.scheduled(createScheduledController({ cron: "* * * * *" }), { ...livekitEnv, SYNC_GRACE_SECONDS: "0" });
    await sweep();
    expect(livekit.sent.filter((s) => s.room === room)).toEqual([]);
    await endGrace(room);
    await sweep();
    expect(livekit.sent.filter((s) => s.room === room).map((s) => s.batch.to)).toEqual([seq]);
  });
});

describe("POST /api/spaces/:id/relayed", () => {
  it("confirms only the caller's own relayed writes, never another being's seqs", async () => {
    const { owner: ada, room } = await occupiedRoom();
    const bob = await guest("Bob");
    const mine = await post(ada, room, "ada's", true);
    const theirs = await post(bob, room, "bob's", true);
    expect((await confirm(ada, room, theirs.seq)).status).toBe(204);
    await endGrace(room);
    livekit = interceptLivekit();
    await consume([room], livekitEnv);
    expect(livekit.sent.filter((s) => s.room === room).map((s) => [s.batch.from, s.batch.to])).toEqual([[theirs.seq, theirs.seq]]);
    expect(mine.seq).toBe(theirs.seq - 1);
  });

  it("does not confirm a write made without Sync-Relay", async () => {
    const { owner, room } = await occupiedRoom();
    const { seq } = await post(owner, room, "plain");
    await confirm(owner, room, seq);
    livekit = interceptLivekit();
    await consume([room], livekitEnv);
    expect(livekit.sent.filter((s) => s.room === room).map((s) => s.batch.to)).toEqual([seq]);
  });

  it("is harmless late, duplicated, or covering a pruned seq", async () => {
    const { owner, room } = await occupiedRoom();
    const { seq } = await post(owner, room, "confirmed too late", true);
    await endGrace(room);
    livekit = interceptLivekit();
    await consume([room], livekitEnv);
    expect(livekit.sent.filter((s) => s.room === room)).toHaveLength(1);
    expect((await confirm(owner, room, seq)).status).toBe(204);
    expect((await confirm(owner, room, seq)).status).toBe(204);
    // Pruned, as the sweeper prunes a broadcast change (only this room's: other files share the log).
    await db(sql`WITH gone AS (DELETE FROM changes WHERE space_id = ${room} AND seq <= ${seq})
                 UPDATE space_sync SET pruned_seq = ${seq} WHERE space_id = ${room}`);
    expect(await db(sql`SELECT 1 FROM changes WHERE space_id = ${room} AND seq = ${seq}`)).toEqual([]);
    expect((await confirm(owner, room, seq + 5)).status).toBe(204);
    expect(await broadcastSeq(room)).toBe(seq);
  });

  it("takes a signed-in reader of the space and a whole seq", async () => {
    const { owner, room } = await occupiedRoom();
    const secret = (await space(owner, { private: true })).id;
    const stranger = await guest("Stranger");
    expect((await confirm(stranger, secret, 1)).status).toBe(404);
    expect((await new Client().request("POST", `/api/spaces/${room}/relayed`, { to: 1 })).status).toBe(401);
    for (const body of [{}, { to: 0 }, { to: 1.5 }, { to: "1" }, { to: 1, extra: true }]) {
      expect((await owner.request("POST", `/api/spaces/${room}/relayed`, body)).status).toBe(400);
    }
  });
});
