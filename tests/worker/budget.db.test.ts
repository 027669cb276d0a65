// The LiveKit API budget: a burst takes at most the bucket, the rest waits and coalesces, nothing is
// lost, a hot space cannot take it all, a 429 is honoured. Each test names its own LiveKit project
// (API key), so its bucket is its own; time is moved by shifting the bucket's and rooms' timestamps.
import { env } from "cloudflare:test";
import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import type { BeingId } from "../../src/shared/entities.ts";
import { createDb } from "../../src/worker/db/client.ts";
import { takeLivekitCall } from "../../src/worker/sync/budget.ts";
import { db, guest, space } from "./client.ts";
import { interceptLivekit, livekitEnv } from "./livekit-env.ts";
import { occupy } from "./occupancy.ts";
import { consume, recordingQueue } from "./queue.ts";

let livekit: ReturnType<typeof interceptLivekit> | undefined;
afterEach(() => livekit?.restore());

function budgetEnv(callsPerMinute: number) {
  const recorder = recordingQueue();
  const env: Env = { ...livekitEnv, LIVEKIT_API_KEY: `budget-${crypto.randomUUID()}`, LIVEKIT_CALLS_PER_MINUTE: String(callsPerMinute), SYNC_QUEUE: recorder.queue };
  return { env, delayed: recorder.sent, project: env.LIVEKIT_API_KEY };
}

/** Occupied spaces with one message each. */
async function busyRooms(count: number): Promise<BeingId[]> {
  const owner = await guest("Owner");
  const rooms: BeingId[] = [];
  for (let i = 0; i < count; i++) {
    const room = (await space(owner)).id;
    await occupy(room);
    await owner.request("POST", `/api/spaces/${room}/intentions`, { content: `hello ${i}` });
    rooms.push(room);
  }
  return rooms;
}

/** Moves the clock forward `seconds` for the bucket and the rooms' last calls. */
async function advance(project: string, seconds: number, rooms: BeingId[]) {
  await db(sql`UPDATE livekit_budget SET refilled_at = refilled_at - make_interval(secs => ${seconds}) WHERE project = ${project}`);
  await db(sql`UPDATE space_sync SET call_at = call_at - make_interval(secs => ${seconds}) WHERE space_id IN (SELECT jsonb_array_elements_text(${JSON.stringify(rooms)}::jsonb))`);
}

const pendingOf = async (rooms: BeingId[]) =>
  Number((await db<{ n: string }>(sql`SELECT coalesce(sum(last_seq - broadcast_seq), 0) AS n FROM space_sync
    WHERE space_id IN (SELECT jsonb_array_elements_text(${JSON.stringify(rooms)}::jsonb))`))[0]!.n);

describe("the LiveKit API budget", () => {
  it("is not felt while it is not under pressure: every room is sent at once", async () => {
    const { env, delayed } = budgetEnv(6_000);
    const rooms = await busyRooms(10);
    livekit = interceptLivekit();
    const result = await consume(rooms, env);
    expect(livekit.sent.map((s) => s.room).sort()).toEqual([...rooms].sort());
    expect(delayed).toEqual([]);
    expect(result.retryMessages).toEqual([]);
    expect(await pendingOf(rooms)).toBe(0);
  });

  it("lets a burst take at most a tenth of the budget; the rest waits (acked, re-enqueued with a delay), nothing fails or is lost", async () => {
    const { env, delayed, project } = budgetEnv(60); // a bucket of 6 calls, refilled at 0.9 a second
    const rooms = await busyRooms(20);
    livekit = interceptLivekit();
    const result = await consume(rooms, env);
    expect(livekit.calls()).toBeGreaterThanOrEqual(3);
    expect(livekit.calls()).toBeLessThanOrEqual(6);
    expect(result.retryMessages).toEqual([]);
    expect(result.explicitAcks).toHaveLength(20);
    const waiting = new Set(delayed.map((d) => d.space));
    expect(waiting.size + livekit.sent.length).toBe(20);
    for (const d of delayed) expect(d.delaySeconds).toBeGreaterThanOrEqual(1);
    // Time passes; the delayed notices come back until every room has had its turn.
    for (let turn = 0; turn < 40 && (await pendingOf(rooms)) > 0; turn++) {
      await advance(project, 5, rooms);
      const again = [...new Set(delayed.splice(0).map((d) => d.space as BeingId))];
      await consume(again, env);
    }
    expect(await pendingOf(rooms)).toBe(0);
    expect(new Set(livekit.sent.map((s) => s.room))).toEqual(new Set(rooms));
  });

  it("keeps a hot space from taking the whole budget: a quiet room still gets its call", async () => {
    const { env, delayed } = budgetEnv(60);
    const [hot, quiet] = await busyRooms(2);
    const owner = await guest("Writer");
    livekit = interceptLivekit();
    for (let i = 0; i < 8; i++) {
      await owner.request("POST", `/api/spaces/${hot}/intentions`, { content: `hot ${i}` });
      await consume([hot!], env);
    }
    const hotCalls = livekit.sent.filter((s) => s.room === hot).length;
    expect(hotCalls).toBeLessThanOrEqual(4); // half the bucket, then one call per fair share
    expect(delayed.some((d) => d.space === hot)).toBe(true);
    await consume([quiet!], env);
    expect(livekit.sent.some((s) => s.room === quiet)).toBe(true);
  });

  it("coalesces what waited: one call carries every change the space made meanwhile", async () => {
    const { env, delayed, project } = budgetEnv(60);
    const [room] = await busyRooms(1);
    const owner = await guest("Writer");
    await db(sql`INSERT INTO livekit_budget (project, tokens) VALUES (${project}, 0)`);
    for (let i = 0; i < 10; i++) await owner.request("POST", `/api/spaces/${room}/intentions`, { content: `waiting ${i}` });
    livekit = interceptLivekit();
    await consume([room!], env);
    expect(livekit.calls()).toBe(0);
    expect(delayed).toHaveLength(1);
    await advance(project, 10, [room!]);
    await consume([room!], env);
    expect(livekit.sent).toHaveLength(1);
    expect(livekit.sent[0]!.batch.changes.length).toBeGreaterThanOrEqual(11);
    expect(await pendingOf([room!])).toBe(0);
  });

  it("honours LiveKit's 429 and Retry-After: the space waits, and no call at all is made until then", async () => {
    const { env, delayed, project } = budgetEnv(0); // unlimited: a 429 holds calls all the same
    const [first, second] = await busyRooms(2);
    const pending = await pendingOf([first!, second!]);
    livekit = interceptLivekit(() => new Response("slow down", { status: 429, headers: { "Retry-After": "7" } }));
    const result = await consume([first!], env);
    expect(result.retryMessages).toEqual([]);
    expect(delayed).toEqual([{ space: first, delaySeconds: 7 }]);
    const [budget] = await db<{ wait: number }>(sql`SELECT extract(epoch FROM blocked_until - now())::float8 AS wait FROM livekit_budget WHERE project = ${project}`);
    expect(budget!.wait).toBeGreaterThan(5);
    expect(budget!.wait).toBeLessThanOrEqual(7);
    await consume([second!], env);
    expect(livekit.calls()).toBe(1);
    expect(delayed.at(-1)).toMatchObject({ space: second });
    expect(delayed.at(-1)!.delaySeconds).toBeGreaterThanOrEqual(5);
    expect(await pendingOf([first!, second!])).toBe(pending);
  });
});

describe("the bucket under contention", () => {
  it("grants no more than its capacity plus what refilled, however many take at once", async () => {
    const budget = { project: `contended-${crypto.randomUUID()}`, callsPerMinute: 60 }; // capacity 6, 0.9 a second
    const started = Date.now();
    const waits = await Promise.all(Array.from({ length: 40 }, () => takeLivekitCall(createDb(env), budget)));
    const seconds = (Date.now() - started) / 1000;
    const granted = waits.filter((wait) => wait === 0).length;
    expect(granted).toBeGreaterThanOrEqual(3);
    expect(granted).toBeLessThanOrEqual(6 + Math.ceil(seconds * 0.9));
  });
});
