// The whole sync path on real parts: worker (wrangler dev) -> PostgreSQL -> local queue -> consumer
// -> livekit-server -> @livekit/rtc-node receivers, with faults injected along the way.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { eventually, StackClient } from "./http.ts";
import { Receiver, truth } from "./receiver.ts";

const stack = inject("stack");
const control = inject("stackControl");
const database = new pg.Client({ connectionString: stack.databaseUrl });

async function post(client: StackClient, space: string, text: string) {
  const reply = await client.request("POST", `/api/spaces/${space}/intentions`, { content: text });
  expect(reply.status).toBe(201);
  return reply.body;
}

/** Every receiver holds exactly the database's intentions and seq. */
async function converged(receivers: Receiver[], writer: StackClient, space: string, timeoutMs = 20_000) {
  let expected = await truth(writer, space);
  const ok = await eventually(async () => {
    expected = await truth(writer, space);
    return receivers.every((r) => r.last === expected.seq && JSON.stringify(r.intentions()) === JSON.stringify(expected.intentions));
  }, timeoutMs, 200);
  for (const receiver of receivers) {
    expect(receiver.last).toBe(expected.seq);
    expect(receiver.intentions()).toEqual(expected.intentions);
  }
  return ok;
}

const sweep = () => fetch(`${stack.url}/cdn-cgi/local/scheduled`).then((r) => r.text());
const livekit = (action: "down" | "up" | "restart") => fetch(`${control}/livekit/${action}`, { method: "POST" }).then((r) => r.text());

async function newSpace(owner: StackClient): Promise<string> {
  const reply = await owner.request("POST", "/api/beings", { name: "Sync test", type: "space" });
  expect(reply.status).toBe(201);
  return reply.body.being.id;
}

beforeAll(async () => database.connect());
afterAll(async () => database.end());

describe("a space nobody is connected to", () => {
  it("has its changes confirmed without a LiveKit room (no retry loop)", async () => {
    const writer = await StackClient.guest(stack.url, "Alone");
    const space = await newSpace(writer);
    await post(writer, space, "anyone here?");
    const caughtUp = await eventually(async () => {
      const { rows } = await database.query("SELECT last_seq, broadcast_seq FROM space_sync WHERE space_id = $1", [space]);
      return rows[0].last_seq === rows[0].broadcast_seq;
    }, 20_000, 200);
    expect(caughtUp).toBe(true);
  });
});

describe("room occupancy from the real server's webhooks", () => {
  it("records a receiver's join and leave, by its connection identity", async () => {
    const writer = await StackClient.guest(stack.url, "Host");
    const space = await newSpace(writer);
    const occupancy = async () =>
      (await database.query("SELECT occupied FROM space_sync WHERE space_id = $1", [space])).rows[0]?.occupied ?? false;
    const receiver = await Receiver.join(stack.url, space, "Visitor");
    expect(await eventually(occupancy, 10_000, 50)).toBe(true);
    const { rows } = await database.query("SELECT identity FROM room_participants WHERE space_id = $1 AND present", [space]);
    expect(rows.map((r) => r.identity)).toEqual([receiver.livekitRoom.localParticipant!.identity]);
    expect(rows[0].identity).toMatch(/^@visitor-[a-z0-9]+#[a-z0-9]{10}$/);
    await receiver.close();
    expect(await eventually(async () => !(await occupancy()), 10_000, 50)).toBe(true);
  });
});

describe("live sync through a real LiveKit server", () => {
  let writer: StackClient;
  let space: string;
  let receivers: Receiver[];

  beforeAll(async () => {
    writer = await StackClient.guest(stack.url, "Writer");
    space = await newSpace(writer);
    receivers = await Promise.all([1, 2, 3].map((n) => Receiver.join(stack.url, space, `Receiver ${n}`)));
  });
  afterAll(async () => Promise.all(receivers.map((r) => r.close())));

  it("delivers a write to every receiver as exactly the committed change", async () => {
    const { intention, seq } = await post(writer, space, "hello, room");
    expect(await eventually(() => receivers.every((r) => r.last >= seq))).toBe(true);
    const { body } = await writer.request("GET", `/api/spaces/${space}/changes?after=${seq - 1}`);
    const committed = body.changes.find((c: any) => c.seq === seq);
    for (const receiver of receivers) {
      const carried = receiver.batches.flatMap((b) => b.changes).find((c) => c.seq === seq);
      expect(JSON.parse(JSON.stringify(carried))).toEqual(committed);
      expect(receiver.catchUps).toBe(0);
    }
    expect(committed.data.id).toBe(intention.id);
  });

  it("a participant may publish on sync, but an unsigned batch is applied by nobody: it is dropped and counted", async () => {
    const [mallory, ...others] = receivers;
    const spoof = new TextEncoder().encode(JSON.stringify({ json: { v: 1, space, from: 1, to: 1e9, changes: [] } }));
    await mallory!.livekitRoom.localParticipant!.publishData(spoof, { reliable: true, topic: "sync" });
    await post(writer, space, "after the spoof attempt");
    await converged(receivers, writer, space);
    for (const receiver of others) {
      await expect.poll(() => receiver.rejected.map((r) => r.reason)).toEqual(["malformed"]);
      expect(receiver.last).toBeLessThan(1e9);
    }
  });

  it("converges after LiveKit is stopped and restarted mid-stream (sendData failing meanwhile)", async () => {
    await post(writer, space, "before the outage");
    await livekit("down");
    for (let i = 0; i < 3; i++) await post(writer, space, `during the outage ${i}`);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await livekit("up");
    await post(writer, space, "after the outage");
    expect(await converged(receivers, writer, space, 45_000)).toBe(true);
  });

  it("delivers a committed change that never reached the queue, through the sweeper", async () => {
    // An UPDATE straight in the database records its change (trigger) but enqueues nothing:
    // exactly what a failed enqueue leaves behind.
    const { intention } = await post(writer, space, "original");
    await converged(receivers, writer, space);
    await database.query(`UPDATE intentions SET content = '["edited behind the queue''s back"]' WHERE id = $1`, [intention.id]);
    await database.query(`UPDATE space_sync SET broadcast_seq = broadcast_seq WHERE space_id = $1`, [space]);
    await database.query(`UPDATE changes SET at = at - interval '1 hour' WHERE space_id = $1 AND entity_id = $2`, [space, intention.id]);
    await sweep();
    expect(await converged(receivers, writer, space)).toBe(true);
    for (const receiver of receivers) expect((receiver.intentions()[intention.id] as any).content).toEqual(["edited behind the queue's back"]);
  });

  it("ignores duplicate deliveries: a re-broadcast of confirmed changes changes nothing", async () => {
    await post(writer, space, "once");
    await converged(receivers, writer, space);
    const before = receivers.map((r) => r.batches.length);
    await database.query(`UPDATE space_sync SET broadcast_seq = 0 WHERE space_id = $1`, [space]);
    await database.query(`UPDATE changes SET at = at - interval '1 hour' WHERE space_id = $1`, [space]);
    await sweep();
    expect(await eventually(() => receivers.every((r, i) => r.batches.length > before[i]!))).toBe(true);
    await converged(receivers, writer, space);
    for (const receiver of receivers) expect(receiver.batches.slice(before[receivers.indexOf(receiver)]).every((b) => b.to <= receiver.last)).toBe(true);
  });

  it("a receiver that joins late starts from the snapshot and misses nothing after it", async () => {
    await post(writer, space, "before the late joiner");
    const late = await Receiver.join(stack.url, space, "Late");
    await post(writer, space, "after the late joiner");
    await converged([late, ...receivers], writer, space);
    await late.close();
  });
});
