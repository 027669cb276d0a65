import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from "cloudflare:test";
import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { app } from "../../src/worker/app.ts";
import worker from "../../src/worker/index.ts";
import { enqueueNotices } from "../../src/worker/sync/notify.ts";
import { db, guest, ORIGIN, space } from "./client.ts";
import { interceptLivekit, livekitEnv } from "./livekit-env.ts";
import { occupy } from "./occupancy.ts";

let livekit: ReturnType<typeof interceptLivekit> | undefined;
afterEach(() => livekit?.restore());

const failingQueue = { send: async () => { throw new Error("queue down"); }, sendBatch: async () => { throw new Error("queue down"); } } as unknown as Queue;

describe("a lost enqueue", () => {
  it("never fails the write: the change is committed and the enqueue failure is reported, not thrown", async () => {
    expect(await enqueueNotices({ SYNC_QUEUE: failingQueue }, ["@intraliminal"])).toBe(false);
    const ada = await guest("Ada");
    const ctx = createExecutionContext();
    const response = await app.request(`${ORIGIN}/api/spaces/@intraliminal/intentions`, {
      method: "POST",
      headers: { Origin: ORIGIN, Cookie: ada.cookie!, "Content-Type": "application/json" },
      body: JSON.stringify({ content: "sent while the queue is down" }),
    }, { ...env, SYNC_QUEUE: failingQueue }, ctx);
    await waitOnExecutionContext(ctx);
    expect(response.status).toBe(201);
    const { intention } = await response.json<any>();
    expect(await db(sql`SELECT 1 FROM changes WHERE entity_id = ${intention.id}`)).toHaveLength(1);
  });
});

describe("the sweeper", () => {
  it("re-broadcasts changes whose broadcast was never confirmed after the grace period", async () => {
    const owner = await guest("Owner");
    const room = (await space(owner)).id;
    await occupy(room);
    await owner.request("POST", `/api/spaces/${room}/intentions`, { content: "lost" });
    // LiveKit lists every room the database holds as occupied (so reconciliation changes nothing for other files).
    const listed = (await db<{ space_id: string }>(sql`SELECT space_id FROM space_sync WHERE occupied`)).map((r) => r.space_id);
    livekit = interceptLivekit(undefined, () => listed);
    await worker.scheduled(createScheduledController({ cron: "* * * * *" }), { ...livekitEnv, SYNC_GRACE_SECONDS: "0" });
    const mine = livekit.sent.filter((s) => s.room === room);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.batch).toMatchObject({ from: 1, to: 2 });
    const [row] = await db<{ broadcast_seq: string }>(sql`SELECT broadcast_seq FROM space_sync WHERE space_id = ${room}`);
    expect(Number(row!.broadcast_seq)).toBe(2);
  });

  it("leaves changes inside the grace period to the queue", async () => {
    const owner = await guest("Owner");
    const room = (await space(owner)).id;
    livekit = interceptLivekit();
    await worker.scheduled(createScheduledController({ cron: "* * * * *" }), { ...livekitEnv, SYNC_GRACE_SECONDS: "3600" });
    expect(livekit.sent.filter((s) => s.room === room)).toHaveLength(0);
  });
});
