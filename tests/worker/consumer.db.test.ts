import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { BeingId } from "../../src/shared/entities.ts";
import { judge } from "../../src/shared/sync.ts";
import worker from "../../src/worker/index.ts";
import { retryDelaySeconds } from "../../src/worker/sync/consumer.ts";
import { Client, db, guest, space } from "./client.ts";
import { SEND_TIMEOUT_MS } from "../../src/worker/sync/livekit.ts";
import { interceptLivekit, LIVEKIT_URL, livekitEnv } from "./livekit-env.ts";
import { occupy } from "./occupancy.ts";

let livekit: ReturnType<typeof interceptLivekit> | undefined;
afterEach(() => livekit?.restore());

let messageCounter = 0;
function notices(spaces: Array<{ space: string; attempts?: number }>) {
  return createMessageBatch("spaces-sync", spaces.map(({ space, attempts }) => ({
    id: `message-${++messageCounter}`,
    timestamp: new Date(),
    attempts: attempts ?? 1,
    body: { space },
  })));
}

async function consume(batch: MessageBatch<unknown>, env: Env = livekitEnv) {
  const ctx = createExecutionContext();
  await worker.queue(batch as MessageBatch<any>, env);
  return getQueueResult(batch, ctx);
}

/** A space whose room someone is in, with `writes` messages posted. */
async function roomWith(writes: number, content = (i: number) => `m${i}`): Promise<{ owner: Client; room: BeingId }> {
  const owner = await guest("Owner");
  const room = (await space(owner)).id;
  await occupy(room);
  for (let i = 0; i < writes; i++) await owner.request("POST", `/api/spaces/${room}/intentions`, { content: content(i) });
  return { owner, room };
}

const committedChanges = async (owner: Client, room: BeingId) =>
  (await owner.request("GET", `/api/spaces/${room}/changes?after=0&limit=1000`)).body.changes;

const broadcastSeq = async (room: BeingId) =>
  Number((await db<{ broadcast_seq: string }>(sql`SELECT broadcast_seq FROM space_sync WHERE space_id = ${room}`))[0]!.broadcast_seq);

describe("the sync queue consumer", () => {
  it("broadcasts a space's new changes once, decoding to exactly the committed changes, and acks", async () => {
    const { owner, room } = await roomWith(3);
    livekit = interceptLivekit();
    const batch = notices([{ space: room }, { space: room }, { space: room }]);
    const result = await consume(batch);
    expect(livekit.sent).toHaveLength(1);
    const [sent] = livekit.sent;
    expect(sent).toMatchObject({ room, topic: "sync", kind: "RELIABLE", verified: true });
    const committed = await committedChanges(owner, room);
    expect(sent!.batch).toMatchObject({ v: 1, space: room, from: 1, to: committed.length });
    expect(JSON.parse(JSON.stringify(sent!.batch.changes))).toEqual(committed);
    expect(sent!.batch.changes[0]!.at).toBeInstanceOf(Date);
    expect(result.explicitAcks.sort()).toEqual(batch.messages.map((m) => m.id).sort());
    expect(result.retryMessages).toEqual([]);
    expect(await broadcastSeq(room)).toBe(committed.length);
  });

  it("groups by space: one call per space, each in seq order, untouched spaces not called", async () => {
    const a = await roomWith(2);
    const b = await roomWith(2);
    livekit = interceptLivekit();
    await consume(notices([{ space: a.room }, { space: b.room }, { space: a.room }]));
    expect(livekit.sent.map((s) => s.room).sort()).toEqual([a.room, b.room].sort());
    for (const sent of livekit.sent) {
      const seqs = sent.batch.changes.map((c) => c.seq);
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    }
  });

  it("sends nothing again for changes already confirmed (a duplicate delivery is a no-op)", async () => {
    const { room } = await roomWith(2);
    livekit = interceptLivekit();
    await consume(notices([{ space: room }]));
    const again = await consume(notices([{ space: room }]));
    expect(livekit.sent).toHaveLength(1);
    expect(again.explicitAcks).toHaveLength(1);
  });

  it("derives the nonce from the payload, so a resent payload carries the same nonce", async () => {
    const { room } = await roomWith(2);
    livekit = interceptLivekit();
    await consume(notices([{ space: room }]));
    await db(sql`UPDATE space_sync SET broadcast_seq = 0 WHERE space_id = ${room}`);
    await consume(notices([{ space: room }]));
    expect(livekit.sent).toHaveLength(2);
    expect(livekit.sent[0]!.nonce).toBe(livekit.sent[1]!.nonce);
    expect(atob(livekit.sent[0]!.nonce)).toHaveLength(16);
  });

  it("retries only the failed space's messages, with backoff, and keeps its changes unconfirmed", async () => {
    const ok = await roomWith(1);
    const failing = await roomWith(1);
    livekit = interceptLivekit((_, room) => room === failing.room);
    const batch = notices([{ space: ok.room }, { space: failing.room, attempts: 3 }]);
    const retry = vi.spyOn(batch.messages[1]!, "retry");
    const result = await consume(batch);
    expect(result.explicitAcks).toEqual([batch.messages[0]!.id]);
    expect(result.retryMessages.map((m) => m.msgId)).toEqual([batch.messages[1]!.id]);
    expect(retry).toHaveBeenCalledWith({ delaySeconds: retryDelaySeconds(3) });
    expect(retryDelaySeconds(3)).toBe(8);
    expect(await broadcastSeq(failing.room)).toBe(0);
    expect(await broadcastSeq(ok.room)).toBeGreaterThan(0);
    // The next delivery succeeds and sends everything pending.
    livekit.restore();
    livekit = interceptLivekit();
    await consume(notices([{ space: failing.room, attempts: 4 }]));
    expect(livekit.sent[0]!.batch.from).toBe(1);
  });

  it("confirms an empty room's changes with zero LiveKit calls (a room is empty until a webhook says someone joined)", async () => {
    const owner = await guest("Owner");
    const room = (await space(owner)).id;
    await owner.request("POST", `/api/spaces/${room}/intentions`, { content: "nobody hears this" });
    livekit = interceptLivekit();
    const batch = notices([{ space: room }]);
    const result = await consume(batch);
    expect(result.explicitAcks).toEqual([batch.messages[0]!.id]);
    expect(livekit.calls()).toBe(0);
    expect(await broadcastSeq(room)).toBe((await committedChanges(owner, room)).length);
  });

  it("confirms the prefix LiveKit accepted when a later payload of the run fails", async () => {
    const { room } = await roomWith(40, () => "x".repeat(1500));
    livekit = interceptLivekit((call) => call === 2);
    const result = await consume(notices([{ space: room }]));
    expect(result.retryMessages).toHaveLength(1);
    expect(livekit.sent).toHaveLength(1);
    expect(await broadcastSeq(room)).toBe(livekit.sent[0]!.batch.to);
  });

  it("splits a large backlog into payloads under 15 KiB that a receiver applies without a gap", async () => {
    const { owner, room } = await roomWith(40, () => "y".repeat(1500));
    livekit = interceptLivekit();
    await consume(notices([{ space: room }]));
    expect(livekit.sent.length).toBeGreaterThan(3);
    let last = 0;
    for (const { bytes, batch } of livekit.sent) {
      expect(bytes).toBeLessThanOrEqual(15 * 1024);
      expect(judge(batch, { space: room, last }).kind).toBe("apply");
      last = batch.to;
    }
    expect(last).toBe((await committedChanges(owner, room)).length);
  });

  it("acks malformed notices without calling LiveKit, and does nothing while live sync is off", async () => {
    livekit = interceptLivekit();
    const junk = createMessageBatch("spaces-sync", [{ id: "junk", timestamp: new Date(), attempts: 1, body: { space: "not an id" } }]);
    expect((await consume(junk)).explicitAcks).toEqual(["junk"]);
    const { room } = await roomWith(1);
    const off = await consume(notices([{ space: room }]), { ...livekitEnv, LIVEKIT_URL: "" });
    expect(off.ackAll).toBe(true);
    expect(livekit.calls()).toBe(0);
  });

  it("counts batches, changes, bytes, failures and retries for /api/admin/stats", async () => {
    const root = await guest("Root");
    await db(sql`UPDATE beings SET properties = '{"superuser": true}' WHERE id = ${root.id}`);
    const before = (await root.request("GET", "/api/admin/stats")).body.counters;
    const { room } = await roomWith(2);
    livekit = interceptLivekit((call) => call === 1);
    await consume(notices([{ space: room }]));
    await consume(notices([{ space: room }]));
    const stats = (await root.request("GET", "/api/admin/stats")).body;
    const delta = (name: string) => (stats.counters[name] ?? 0) - (before[name] ?? 0);
    expect(delta("failures")).toBeGreaterThanOrEqual(1);
    expect(delta("retries")).toBeGreaterThanOrEqual(1);
    expect(delta("batches")).toBeGreaterThanOrEqual(1);
    expect(delta("changes")).toBeGreaterThanOrEqual(3);
    expect(delta("bytes")).toBeGreaterThan(0);
    expect(stats.lag).toMatchObject({ spaces: expect.any(Number), changes: expect.any(Number) });
    expect((await (await guest("Nobody")).request("GET", "/api/admin/stats")).status).toBe(403);
  });
});

describe("a LiveKit that holds SendData (a room judged occupied after a missed leave)", () => {
  it("gives up after SEND_TIMEOUT_MS and retries, without asking ListRooms per failed send", async () => {
    const { room } = await roomWith(1);
    const original = globalThis.fetch;
    const paths: string[] = [];
    const spy = vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const url = new Request(input as RequestInfo).url;
      if (!url.startsWith(LIVEKIT_URL)) return original(input as RequestInfo, init);
      paths.push(new URL(url).pathname);
      // Hangs like LiveKit does for a room nobody is in, until the caller's signal aborts it.
      return new Promise<Response>((_, reject) => init?.signal?.addEventListener("abort", () => reject(init.signal!.reason)));
    });
    try {
      const started = Date.now();
      const result = await consume(notices([{ space: room }]));
      expect(Date.now() - started).toBeLessThan(SEND_TIMEOUT_MS + 1_000);
      expect(result.retryMessages).toHaveLength(1);
      expect(paths).toEqual(["/twirp/livekit.RoomService/SendData"]);
      expect(await broadcastSeq(room)).toBe(0);
    } finally {
      spy.mockRestore();
    }
  });
});
