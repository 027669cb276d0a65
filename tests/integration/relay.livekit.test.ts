// The fast path on real parts (issue 18): writers in a real livekit-server room publish their own
// signed changes with @livekit/rtc-node; receivers verify every packet under the one receive rule.
// The worker reaches LiveKit through the stack's counting proxy, so "no server call" is counted there.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import pg from "pg";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { eventually, livekitCalls, StackClient, type StackReply } from "./http.ts";
import { batchOf, Receiver, syncOf, truth } from "./receiver.ts";

const stack = inject("stack");
const control = inject("stackControl");
const database = new pg.Client({ connectionString: stack.databaseUrl });

/** The server's grace for a relayed write's confirmation (SYNC_RELAY_GRACE_SECONDS), and what we wait past it. */
const GRACE_MS = 2_000;
const MARGIN_MS = 1_500;

async function newSpace(owner: StackClient, name: string): Promise<string> {
  const reply = await owner.request("POST", "/api/beings", { name, type: "space" });
  expect(reply.status).toBe(201);
  return reply.body.being.id;
}

/** The seq of a message a write created. */
function seqOf(reply: StackReply): number {
  expect(reply.status).toBe(201);
  return reply.body.seq;
}

const applied = (receivers: Receiver[], seq: number, timeoutMs = 10_000) => eventually(() => receivers.every((r) => r.last >= seq), timeoutMs, 10);

/** Every receiver holds exactly the database's intentions and seq. */
async function converged(receivers: Receiver[], reader: StackClient, space: string): Promise<void> {
  const expected = await truth(reader, space);
  for (const receiver of receivers) {
    expect(receiver.last).toBe(expected.seq);
    expect(receiver.intentions()).toEqual(expected.intentions);
  }
}

/** Seqs a receiver applied more than once (by any path): none, if duplicates are ignored. */
const twiceApplied = (receiver: Receiver) => receiver.applied.map((a) => a.seq).filter((seq, i, all) => all.indexOf(seq) !== i);


/** How long the flood lasts. */
const FLOOD_MS = 3_000;

/** Runs tests/integration/flooder.ts as a participant with `token` for `ms`: when it starts publishing, and how many packets it sent. */
function floodFor(url: string, token: string, ms: number): { started: Promise<void>; sent: Promise<number> } {
  const child = spawn(process.execPath, [fileURLToPath(new URL("./flooder.ts", import.meta.url)), url, token, String(ms)], { stdio: ["ignore", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  /** The flooder's next line of its own (LiveKit's logs go to stdout too). */
  const next = async (prefix: string): Promise<string> => {
    for (;;) {
      const line = await lines.next();
      if (line.done) throw new Error("the flooder exited early");
      if (line.value.startsWith(prefix)) return line.value.slice(prefix.length);
    }
  };
  const started = next("flooding").then(() => undefined);
  return { started, sent: started.then(() => next("sent ")).then(Number) };
}

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]!;

beforeAll(async () => database.connect());
afterAll(async () => database.end());

describe("writers relay their own signed changes through a real LiveKit server", () => {
  let owner: StackClient;
  let space: string;
  let writer: Receiver;
  let mallory: Receiver;
  let receivers: Receiver[];
  const say = (who: Receiver, text: string, mode?: Parameters<Receiver["write"]>[3]) =>
    who.write("POST", `/api/spaces/${space}/intentions`, { content: text }, mode);

  beforeAll(async () => {
    owner = await StackClient.guest(stack.url, "Owner");
    space = await newSpace(owner, "Relay test");
    [writer, mallory, ...receivers] = await Promise.all(["Writer", "Mallory", "Receiver 1", "Receiver 2"].map((name) => Receiver.join(stack.url, space, name)));
    // The server broadcasts only into a room its webhooks say is occupied: the fallbacks below need it.
    const occupied = async () => (await database.query("SELECT occupied FROM space_sync WHERE space_id = $1", [space])).rows[0]?.occupied === true;
    expect(await eventually(occupied, 10_000, 50)).toBe(true);
  });
  afterAll(async () => Promise.all([writer, mallory, ...receivers].map((r) => r.close())));

  it("a writer relays, and two receivers apply it with 0 LiveKit server calls for that write", async () => {
    const started = Date.now();
    const reply = await say(writer, "relayed, not broadcast");
    const seq = seqOf(reply);
    expect(await applied(receivers, seq, 5_000)).toBe(true);
    const visibleMs = Date.now() - started;
    // Past the grace: had the confirmation not counted, the server's broadcast would have gone by now.
    await sleep(GRACE_MS + MARGIN_MS);
    expect(await livekitCalls(control, space, started)).toEqual([]);
    const { rows } = await database.query("SELECT relayed FROM changes WHERE space_id = $1 AND seq = $2", [space, seq]);
    expect(rows).toEqual([{ relayed: true }]);
    const { rows: cursor } = await database.query("SELECT broadcast_seq FROM space_sync WHERE space_id = $1", [space]);
    expect(Number(cursor[0].broadcast_seq)).toBeGreaterThanOrEqual(seq);
    for (const receiver of receivers) {
      expect(receiver.last).toBe(seq);
      expect(receiver.rows.get(reply.body.intention.id)).toMatchObject({ content: ["relayed, not broadcast"] });
      expect(receiver.catchUps).toBe(0);
    }
    await converged(receivers, owner, space);
    console.log(`relay: write -> visible at both receivers in ${visibleMs} ms, 0 server calls`);
  });

  it("forged, unknown-key, foreign-space, replayed, junk and unsigned packets are dropped and counted by every receiver", async () => {
    const genuine = syncOf(await say(writer, "the genuine one"));
    const seq = batchOf(genuine[0]!).to;
    expect(await applied(receivers, seq)).toBe(true);
    const elsewhere = await newSpace(owner, "Another room");
    const foreign = syncOf(await owner.request("POST", `/api/spaces/${elsewhere}/intentions`, { content: "meant for another room" }))[0]!;
    expect(batchOf(foreign).space).toBe(elsewhere);
    // A payload for the next seq that would apply, under a signature that is not its own.
    const next = { ...batchOf(genuine[0]!), from: seq + 1, to: seq + 1 };
    next.changes = next.changes.map((c) => ({ ...c, seq: seq + 1, data: { ...c.data!, content: ["forged"] } })) as typeof next.changes;
    const flip = (sig: string) => (sig[0] === "A" ? "B" : "A") + sig.slice(1);
    const packets: Record<string, string | Uint8Array> = {
      forged: JSON.stringify({ ...genuine[0]!, payload: superjson.stringify(next) }),
      "signature flipped": JSON.stringify({ ...genuine[0]!, sig: flip(genuine[0]!.sig) }),
      "unknown key": JSON.stringify({ ...genuine[0]!, kid: "nobody-s-key" }),
      "another space": JSON.stringify(foreign),
      replayed: JSON.stringify(genuine[0]!),
      junk: new Uint8Array(Array.from({ length: 300 }, (_, i) => (i * 37) % 256)),
      unsigned: JSON.stringify({ json: { v: 1, space, from: seq + 1, to: 1e9, changes: [] } }),
      "unsigned envelope": JSON.stringify({ kid: genuine[0]!.kid, payload: superjson.stringify(next) }),
    };
    const before = receivers.map((r) => ({ rejected: r.rejected.length, duplicates: r.duplicates, last: r.last }));
    for (const packet of Object.values(packets)) await mallory.publish(packet);
    // Each is judged in arrival order; a packet after them shows every one of them was read.
    const expected = ["bad signature", "bad signature", "unknown key", "another space", "malformed", "malformed", "malformed"];
    for (const [i, receiver] of receivers.entries()) {
      await expect.poll(() => receiver.rejected.slice(before[i]!.rejected).map((r) => r.reason), { timeout: 15_000 }).toEqual(expected);
      expect(receiver.duplicates).toBe(before[i]!.duplicates + 1);
      expect(receiver.last).toBe(before[i]!.last);
    }
    await converged(receivers, owner, space);
    // And the room still works: the next real change applies.
    const after = seqOf(await say(writer, "after the attack"));
    expect(await applied(receivers, after)).toBe(true);
    await converged(receivers, owner, space);
    for (const receiver of receivers) expect(twiceApplied(receiver)).toEqual([]);
  });

  it("a participant flooding sync with junk does not stop real changes from applying (lag measured)", async () => {
    /** A write's round trip, and then how long until both receivers applied it (its relay's part of the lag). */
    const lagOfOneWrite = async (text: string) => {
      const started = Date.now();
      const reply = await writer.writeRelaying("POST", `/api/spaces/${space}/intentions`, { content: text });
      const answered = Date.now();
      await writer.relay(reply);
      expect(await applied(receivers, seqOf(reply), 15_000)).toBe(true);
      return { total: Date.now() - started, roundTrip: answered - started };
    };
    const quiet: Array<{ total: number; roundTrip: number }> = [];
    for (let i = 0; i < 5; i++) quiet.push(await lagOfOneWrite(`before the flood ${i}`));

    const rejectedBefore = receivers.map((r) => r.rejected.length);
    const flooder = await StackClient.guest(stack.url, "Flooder");
    const { body: join } = await flooder.request("POST", `/api/spaces/${space}/token`);
    const flood = floodFor(join.url, join.token, FLOOD_MS);
    await flood.started;
    const floodStarted = Date.now();
    const during: Array<{ total: number; roundTrip: number }> = [];
    while (Date.now() - floodStarted < FLOOD_MS) during.push(await lagOfOneWrite(`during the flood ${during.length}`));
    const sent = await flood.sent;
    const floodMs = Date.now() - floodStarted;

    await converged(receivers, owner, space);
    // Every junk packet was read, dropped and counted, by both.
    const counted = () => receivers.map((r, i) => r.rejected.length - rejectedBefore[i]!);
    await eventually(() => counted().every((n) => n >= sent), 10_000, 100);
    expect(counted()).toEqual(receivers.map(() => sent));
    for (const receiver of receivers) expect(twiceApplied(receiver)).toEqual([]);
    const figures = (lags: Array<{ total: number; roundTrip: number }>) => {
      const [totals, trips] = [lags.map((l) => l.total), lags.map((l) => l.roundTrip)];
      const relays = lags.map((l) => l.total - l.roundTrip);
      return `p50 ${percentile(totals, 50)} ms, max ${Math.max(...totals)} ms (of which the write's round trip p50 ${percentile(trips, 50)} ms, ` +
        `answer -> applied p50 ${percentile(relays, 50)} ms, max ${Math.max(...relays)} ms; ${lags.length} writes)`;
    };
    console.log(
      `flood: ${sent} junk packets in ${floodMs} ms (${Math.round((sent / floodMs) * 1000)}/s); real changes' write -> applied at both receivers: ` +
        `before ${figures(quiet)}; during ${figures(during)}`,
    );
    expect(during.length).toBeGreaterThan(0);
  });

  it("a flooder a receiver reported loses its data publishing: one UpdateParticipant call, and its packets stop reaching anyone", async () => {
    const flooder = await StackClient.guest(stack.url, "Flooder 2");
    const { body: join } = await flooder.request("POST", `/api/spaces/${space}/token`);
    const flood = floodFor(join.url, join.token, 3 * FLOOD_MS);
    await flood.started;
    const reached = () => receivers.map((r) => r.rejected.length);
    const before = reached();
    expect(await eventually(() => reached().every((n, i) => n > before[i]! + 100), 10_000, 50)).toBe(true);

    const reportedAt = Date.now();
    const report = await receivers[0]!.client.request("POST", `/api/spaces/${space}/muted`, { identity: join.identity });
    const answeredMs = Date.now() - reportedAt;
    expect(report.status).toBe(200);
    expect(report.body.revocation).toMatchObject({ identity: join.identity, applied: true });
    const calls = await livekitCalls(control, space, reportedAt);
    expect(calls.map((call) => call.method)).toEqual(["UpdateParticipant"]);

    // What was already in flight lands within moments; after that, nothing more from the flooder reaches a receiver.
    await sleep(1_000);
    const settled = reached();
    await sleep(2_000);
    expect(reached()).toEqual(settled);
    const sent = await flood.sent;
    expect(sent).toBeGreaterThan(settled[0]! - before[0]!);
    // And its being's next token for the room leaves data out.
    const again = await flooder.request("POST", `/api/spaces/${space}/token`);
    const claims = JSON.parse(Buffer.from(again.body.token.split(".")[1], "base64url").toString());
    expect(claims.video.canPublishData).toBe(false);
    expect(claims.video.canPublish).toBe(true);
    // Real changes still relay.
    expect(await applied(receivers, seqOf(await say(writer, "after the revocation")))).toBe(true);
    console.log(
      `revocation: ${settled[0]! - before[0]!} of the flooder's ${sent} packets reached a receiver before its publishing was taken back; ` +
        `the report answered in ${answeredMs} ms with 1 LiveKit call`,
    );
  });

  it("out-of-order relays from 5 concurrent writers converge with no catch-up fetch", async () => {
    const writers = await Promise.all([1, 2, 3, 4, 5].map((n) => Receiver.join(stack.url, space, `Writer ${n}`)));
    try {
      const before = receivers.map((r) => ({ catchUps: r.catchUps, gaps: r.gaps }));
      const replies = await Promise.all(writers.map((w, i) => w.writeRelaying("POST", `/api/spaces/${space}/intentions`, { content: `concurrent ${i}` })));
      // Published newest first, so every receiver meets each batch but the oldest past a gap.
      const newestFirst = writers.map((w, i) => ({ w, reply: replies[i]! })).sort((a, b) => seqOf(b.reply) - seqOf(a.reply));
      const relays: Array<Promise<void>> = [];
      for (const { w, reply } of newestFirst) {
        relays.push(w.relay(reply));
        await sleep(40);
      }
      await Promise.all(relays);
      const newest = seqOf(newestFirst[0]!.reply);
      expect(await applied(receivers, newest, 5_000)).toBe(true);
      await converged(receivers, owner, space);
      for (const [i, receiver] of receivers.entries()) {
        expect(receiver.catchUps).toBe(before[i]!.catchUps);
        expect(receiver.gaps).toBeGreaterThan(before[i]!.gaps);
        expect(twiceApplied(receiver)).toEqual([]);
      }
    } finally {
      await Promise.all(writers.map((w) => w.close()));
    }
  });

  it("a writer that never publishes (its tab closed) loses nothing: the server broadcasts it after the grace", async () => {
    const quitter = await Receiver.join(stack.url, space, "Quitter");
    const started = Date.now();
    const seq = seqOf(await say(quitter, "written, never relayed", "neither"));
    await quitter.close();
    expect(await applied(receivers, seq, GRACE_MS + 4_000)).toBe(true);
    const visibleMs = Date.now() - started;
    expect((await livekitCalls(control, space, started, "SendData")).length).toBeGreaterThanOrEqual(1);
    await converged(receivers, owner, space);
    for (const receiver of receivers) expect(twiceApplied(receiver)).toEqual([]);
    console.log(`never relayed: write -> visible from the server's broadcast in ${visibleMs} ms (grace ${GRACE_MS} ms)`);
  });

  it("a relay whose confirmation is lost is applied once: the server's broadcast after the grace is a duplicate", async () => {
    const started = Date.now();
    const seq = seqOf(await say(writer, "published, never confirmed", "publish only"));
    expect(await applied(receivers, seq, 5_000)).toBe(true);
    const duplicatesBefore = receivers.map((r) => r.duplicates);
    expect(await eventually(async () => (await livekitCalls(control, space, started, "SendData")).length > 0, GRACE_MS + 4_000, 100)).toBe(true);
    expect(await eventually(() => receivers.every((r, i) => r.duplicates > duplicatesBefore[i]!), 5_000, 20)).toBe(true);
    await converged(receivers, owner, space);
    for (const receiver of receivers) {
      expect(receiver.applied.filter((a) => a.seq === seq)).toHaveLength(1);
      expect(twiceApplied(receiver)).toEqual([]);
    }
  });
});
