// Bots benchmark on the local stack (wrangler dev, PostgreSQL, real livekit-server, rtc-node receivers):
// ten bots replying at once in ten spaces, each streaming 600 tokens at 40 tokens/s from the fake
// OpenAI-compatible provider, three receivers per space. Beside it, the old design computed from the
// same replies: one broadcast and one full refetch of the space per 500 ms update.
// Run: npm run bench:bots   (prints markdown tables; about a minute)
import pg from "pg";
import type { Intention } from "../../src/shared/entities.ts";
import { StackClient, eventually } from "../integration/http.ts";
import { Receiver } from "../integration/receiver.ts";
import { fakeModel, fakeText, startFakeModelProvider } from "../support/fake-model-provider.ts";
import { benchConfig, createSpace, fmt, percentile, startBenchStack } from "./support.ts";

const SPACES = 10;
const RECEIVERS = 3;
const TOKENS = 600;
const RATE = 40;
const OLD_INTERVAL_MS = 500;

const textOf = (row: Intention | undefined) => (typeof row?.content[0] === "string" ? row.content[0] : "");

const provider = await startFakeModelProvider();
const stack = await startBenchStack({
  database: { kind: "postgres" },
  livekit: "required",
  wranglerConfig: await benchConfig(0),
  vars: { BOT_API_BASE_URL: provider.url },
});
try {
  const admin = await StackClient.guest(stack.url, "Bench admin");
  const db = new pg.Client({ connectionString: stack.databaseUrl });
  await db.connect();
  await db.query(`UPDATE beings SET properties = '{"superuser": true}' WHERE id = $1`, [admin.id]);
  const counters = async () => (await admin.request("GET", "/api/admin/stats")).body.counters as Record<string, number>;

  const model = fakeModel({ tokens: TOKENS, rate: RATE });
  const rooms = await Promise.all(
    Array.from({ length: SPACES }, async (_, i) => {
      const asker = await StackClient.guest(stack.url, `Asker ${i}`);
      const space = await createSpace(asker, `Bots ${i}`);
      const bot = await asker.request("POST", "/api/beings", {
        name: "Sage", type: "bot", locationId: space,
        properties: { bot: { model, prompt: "Answer.", replyTo: "all" } }, secrets: { apiKey: "bench-key" },
      });
      if (bot.status !== 201) throw new Error(`bot creation failed: ${bot.status} ${JSON.stringify(bot.body)}`);
      const receivers = await Promise.all(Array.from({ length: RECEIVERS }, (_, r) => Receiver.join(stack.url, space, `Receiver ${i}.${r}`)));
      return { asker, space, bot: bot.body.being.id as string, receivers };
    }),
  );
  // The budget's bucket and the rooms' occupancy settle (webhooks) before the measured run.
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const before = await counters();
  stack.neonEndpoint?.resetStats();
  const marks = rooms.map((room) => room.receivers.map((r) => r.arrivals.length));

  const postedAt = new Map<string, number>();
  await Promise.all(rooms.map(async (room) => {
    postedAt.set(room.space, Date.now());
    const reply = await room.asker.request("POST", `/api/spaces/${room.space}/intentions`, { content: "Sage, tell me everything." });
    if (reply.status !== 201) throw new Error(`post failed: ${reply.status}`);
  }));
  const final = fakeText(TOKENS);
  const done = await eventually(
    () => rooms.every((room) => room.receivers.every((r) => [...r.rows.values()].some((row) => (row as Intention).ownerId === room.bot && (row as Intention).state === "complete"))),
    120_000,
    50,
  );
  if (!done) throw new Error("not every receiver saw every reply complete");
  await new Promise((resolve) => setTimeout(resolve, 500));
  const after = await counters();
  const neon = stack.neonEndpoint?.stats();

  const firstText: number[] = [];
  const intervals: number[] = [];
  const bytesPerReceiver: number[] = [];
  let finalBytes = 0;
  let finalJsonBytes = 0;
  let durationMs = 0;
  let changeRows = 0;
  for (const [i, room] of rooms.entries()) {
    const { rows: [reply] } = await db.query(
      `SELECT id, (SELECT last_seq FROM space_sync WHERE space_id = $1) AS last_seq, intention_json(i) AS json,
              extract(epoch FROM modified_at - created_at) * 1000 AS ms
       FROM intentions i WHERE owner_id = $2`, [room.space, room.bot]);
    if (textOf(reply.json) !== final) throw new Error(`reply ${reply.id} is not the full text`);
    finalBytes += new TextEncoder().encode(final).length;
    finalJsonBytes += JSON.stringify(reply.json).length;
    durationMs += Number(reply.ms);
    room.receivers.forEach((receiver, r) => {
      const arrivals = receiver.arrivals.slice(marks[i]![r]);
      bytesPerReceiver.push(arrivals.reduce((sum, a) => sum + a.bytes, 0));
      const growing = arrivals.filter((a) => a.batch.changes.some((c) => c.id === reply.id && textOf(c.data as Intention)));
      if (growing[0]) firstText.push(growing[0].at - postedAt.get(room.space)!);
      growing.slice(1).forEach((a, k) => intervals.push(a.at - growing[k]!.at));
    });
    // Change rows written for the reply: every seq of the space since the post (the post's own row aside).
    const { rows: [count] } = await db.query(`SELECT count(*)::int AS n FROM changes WHERE space_id = $1 AND entity_id = $2`, [room.space, reply.id]);
    changeRows += count.n;
  }
  const replies = rooms.length;
  const calls = ((after.calls ?? 0) - (before.calls ?? 0)) / replies;
  const updatesOld = durationMs / replies / OLD_INTERVAL_MS;
  // The old design per update: a broadcast carrying the row (its average size over the reply's growth)
  // and each receiver refetching the whole space; measured here on the bench space itself (2 messages).
  const snapshotBytes = JSON.stringify((await rooms[0]!.asker.request("GET", `/api/spaces/${rooms[0]!.space}`)).body).length;
  const averageRowBytes = finalJsonBytes / replies / 2;
  const oldBytesPerReceiver = updatesOld * (averageRowBytes + (snapshotBytes - finalJsonBytes / replies / 2));
  const hundredMessages = 100 * 420; // a space's snapshot with its 100 newest messages of about 420 bytes of JSON each

  console.log(`\n### Bots: ${SPACES} replies at once, ${TOKENS} tokens at ${RATE} tokens/s each, ${RECEIVERS} receivers per space\n`);
  console.log(`Local stack, real livekit-server, 2 cores shared, load average at start: see the section's text. LIVEKIT_CALLS_PER_MINUTE 900, BOT_WRITE_INTERVAL_MS 400, each turn in its own runner (a Durable Object).\n`);
  console.log("| figure | this design (measured) | old design: broadcast + full refetch per 500 ms update (computed) |");
  console.log("|---|---|---|");
  console.log(`| post → first reply text visible, p50 / p99 | ${fmt(percentile(firstText, 50))} / ${fmt(percentile(firstText, 99))} ms (${firstText.length} receivers) | – (not measured) |`);
  console.log(`| update interval seen by receivers, p50 / p99 | ${fmt(percentile(intervals, 50))} / ${fmt(percentile(intervals, 99))} ms | 500 ms |`);
  console.log(`| reply duration (created → complete), mean | ${fmt(durationMs / replies)} ms | same |`);
  console.log(`| change rows per reply | ${fmt(changeRows / replies, 1)} | ${fmt(updatesOld + 1, 1)} |`);
  console.log(`| database statements per reply (all of the worker's, Neon endpoint count) | ${fmt((neon?.statements ?? NaN) / replies, 1)} | ≥ ${fmt(updatesOld * (1 + RECEIVERS), 0)} (a write and ${RECEIVERS} snapshot reads per update) |`);
  console.log(`| LiveKit calls per reply | ${fmt(calls, 1)} | ${fmt(updatesOld, 1)} |`);
  console.log(`| bytes per receiver per reply | ${fmt(percentile(bytesPerReceiver, 50))} (p50) | ${fmt(oldBytesPerReceiver)} (this 2-message space); ${fmt(oldBytesPerReceiver + updatesOld * hundredMessages)} (a space showing 100 messages) |`);
  console.log(`| final reply text | ${fmt(finalBytes / replies)} bytes (JSON row ${fmt(finalJsonBytes / replies)}) | same |`);
  console.log(`| bytes per receiver ÷ final reply's JSON row | ${fmt(percentile(bytesPerReceiver, 50) / (finalJsonBytes / replies), 1)} | ${fmt(oldBytesPerReceiver / (finalJsonBytes / replies), 1)}; ${fmt((oldBytesPerReceiver + updatesOld * hundredMessages) / (finalJsonBytes / replies), 1)} |`);
  await db.end();
  await Promise.all(rooms.flatMap((room) => room.receivers.map((r) => r.close())));
} finally {
  await stack.stop();
  await provider.close();
}
process.exit(0);
