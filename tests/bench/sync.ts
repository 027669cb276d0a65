// Sync benchmark on the local stack with the real livekit-server: 1 writer, 20 receivers.
// Run: npm run bench:sync [-- --quick]   (prints markdown tables; takes a few minutes, --quick under 2:
// fewer writes per row, batch timeout 0 only, without the designs we replace and the sweeper's recovery)
// The worker runs in Miniflare directly: wrangler dev's entry proxy and inspector cap the write path
// below 200 writes/s on 2 cores. `--wrangler-dev` measures through wrangler dev instead.
// Then the fast path against the server path (relay-paths.ts): a writer in the room, and a flood of junk.
import pg from "pg";
import superjson from "superjson";
import type { StackOptions } from "../../scripts/local/stack.ts";
import { newIntentionId } from "../../src/shared/ids.ts";
import type { Change } from "../../src/shared/sync.ts";
import { eventually, StackClient } from "../integration/http.ts";
import { Receiver } from "../integration/receiver.ts";
import { measurePaths, printPaths } from "./relay-paths.ts";
import { benchConfig, counters, countFailure, createSpace, fmt, load, percentile, signInAdmin, startBenchStack, tryPart } from "./support.ts";

const quick = process.argv.includes("--quick");
const RECEIVERS = 20;
const RATES = [1, 20, 200];
const WRITES = (quick ? { 1: 5, 20: 40, 200: 200 } : { 1: 20, 20: 200, 200: 1000 }) as Record<number, number>;
const BATCH_TIMEOUTS = quick ? [0] : [0, 1];
const runtime = process.argv.includes("--wrangler-dev") ? "wrangler" : "miniflare";

interface Row {
  timeout: number;
  rate: number;
  achieved: number;
  /** Writes that were not committed (an error status, or no answer). */
  failed: number;
  /** Committed changes a receiver never got, summed over the receivers. */
  undelivered: number;
  /** The machine's 1-minute load average as the row ended (the machine is shared). */
  load: string;
  p50: number;
  p95: number;
  p99: number;
  commitP50: number;
  commitP99: number;
  writeP50: number;
  changesPerCall: number;
  bytesPerChangePerReceiver: number;
  changeJson: number;
}

async function runRate(writer: StackClient, admin: StackClient, space: string, receivers: Receiver[], rate: number, count = WRITES[rate]!): Promise<Omit<Row, "timeout">> {
  const sentAt = new Map<string, number>();
  const committedAt = new Map<string, number>();
  const seqOf = new Map<string, number>();
  const before = await counters(admin);
  const marks = receivers.map((r) => r.arrivals.length);
  const started = Date.now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const id = newIntentionId();
    sentAt.set(id, Date.now());
    inflight.push(writer.request("POST", `/api/spaces/${space}/intentions`, { id, content: `bench message ${i} at ${rate}/s` }).then((reply) => {
      if (reply.status !== 201) return countFailure(`write answered ${reply.status} ${JSON.stringify(reply.body)}`);
      committedAt.set(id, Date.now());
      seqOf.set(id, reply.body.seq);
    }, countFailure));
  }
  await Promise.all(inflight);
  // Committed writes only: a failed write is in its own column, not in the rate.
  const achieved = seqOf.size / ((Date.now() - started) / 1000);
  const lastSeq = Math.max(...seqOf.values());
  if (!(await eventually(() => receivers.every((r) => r.last >= lastSeq), 60_000, 20))) countFailure(`${rate}/s: receivers did not catch up within 60 s`);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const after = await counters(admin);

  const latencies: number[] = [];
  const sinceCommit: number[] = [];
  let bytes = 0;
  let jsonBytes = 0;
  let jsonCount = 0;
  receivers.forEach((receiver, index) => {
    const arrivals = receiver.arrivals.slice(marks[index]);
    const arrivalOfSeq = new Map<number, number>();
    for (const { at, batch, bytes: size } of arrivals) {
      bytes += size;
      for (let seq = batch.from; seq <= batch.to; seq++) if (!arrivalOfSeq.has(seq)) arrivalOfSeq.set(seq, at);
      if (index === 0) for (const change of batch.changes) (jsonBytes += JSON.stringify(change).length), (jsonCount += 1);
    }
    for (const [id, seq] of seqOf) {
      const at = arrivalOfSeq.get(seq);
      if (at !== undefined) latencies.push(at - sentAt.get(id)!);
      // The response can trail the broadcast (waitUntil enqueues before the client reads it): clamp at 0.
      if (at !== undefined) sinceCommit.push(Math.max(0, at - committedAt.get(id)!));
    }
  });
  const calls = (after.batches ?? 0) - (before.batches ?? 0);
  const changes = (after.changes ?? 0) - (before.changes ?? 0);
  return {
    rate,
    achieved,
    failed: count - seqOf.size,
    undelivered: seqOf.size * receivers.length - latencies.length,
    load: load(),
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    commitP50: percentile(sinceCommit, 50),
    commitP99: percentile(sinceCommit, 99),
    writeP50: percentile([...committedAt].map(([id, at]) => at - sentAt.get(id)!), 50),
    changesPerCall: changes / Math.max(1, calls),
    bytesPerChangePerReceiver: bytes / receivers.length / Math.max(1, seqOf.size),
    changeJson: jsonBytes / Math.max(1, jsonCount),
  };
}

async function withStack<T>(batchTimeout: number, extra: Pick<StackOptions, "vars" | "cronIntervalMs">, work: (url: string, databaseUrl: string) => Promise<T>): Promise<T> {
  const stack = await startBenchStack({ database: { kind: "postgres" }, livekit: "required", runtime, wranglerConfig: await benchConfig(batchTimeout), ...extra });
  try {
    return await work(stack.url, stack.databaseUrl);
  } finally {
    await stack.stop();
  }
}

const loadAtStart = load();
const rows: Array<Row | Pick<Row, "timeout" | "rate">> = [];
for (const timeout of BATCH_TIMEOUTS) {
  await tryPart(`batch timeout ${timeout} s`, () => withStack(timeout, {}, async (url, databaseUrl) => {
    const admin = await signInAdmin(url, databaseUrl);
    const writer = await StackClient.guest(url, "Bench writer");
    const space = await createSpace(writer, "Bench");
    const receivers = await Promise.all(Array.from({ length: RECEIVERS }, (_, i) => Receiver.join(url, space, `Receiver ${i}`)));
    try {
      // Warm-up, not measured: the first writes pay for the consumer's and the room's first use.
      await runRate(writer, admin, space, receivers, 20, 20);
      for (const rate of RATES) {
        const measured = await tryPart(`timeout ${timeout} s, ${rate}/s`, () => runRate(writer, admin, space, receivers, rate));
        if (!measured) {
          rows.push({ timeout, rate });
          continue;
        }
        const row = { timeout, ...measured };
        rows.push(row);
        console.error(`timeout ${timeout}s, ${rate}/s: achieved ${fmt(row.achieved, 1)}/s (${row.failed} failed), p50 ${row.p50} ms, p99 ${row.p99} ms, ${row.changesPerCall.toFixed(1)} changes/call, load ${row.load}`);
      }
    } finally {
      await Promise.all(receivers.map((r) => r.close()));
    }
  }));
}

const paths = await tryPart("the fast path", () => withStack(0, {}, async (url, databaseUrl) => {
  const admin = await signInAdmin(url, databaseUrl);
  const space = await createSpace(await StackClient.guest(url, "Relay space owner"), "Relay");
  return measurePaths(url, admin, space, { receivers: RECEIVERS, writes: WRITES, floodMs: quick ? 3_000 : 5_000 });
}));

// The designs we replace, measured on the same data: one sendData per change, and refetching the
// whole space (500 intentions) after every change.
const naive = quick ? undefined : await tryPart("the designs we replace", () => withStack(0, {}, async (url) => {
  const writer = await StackClient.guest(url, "Naive");
  const space = await createSpace(writer, "Big");
  for (let i = 0; i < 500; i++) await writer.request("POST", `/api/spaces/${space}/intentions`, { content: `bench message ${i} at 20/s` });
  const { body } = await writer.request("GET", `/api/spaces/${space}/changes?after=0&limit=1000`);
  const changes = superjson.parse<Change[]>(superjson.stringify(body.changes)).filter((c) => c.kind === "intention");
  const single = changes.map((change) => superjson.stringify({ v: 1, space, from: change.seq, to: change.seq, changes: [change] }).length);
  // The old client refetched the space and all of its history after each change.
  let refetch = JSON.stringify((await writer.request("GET", `/api/spaces/${space}`)).body).length;
  let cursor = (await writer.request("GET", `/api/spaces/${space}`)).body.intentions[0]?.id;
  for (;;) {
    const page = (await writer.request("GET", `/api/spaces/${space}/intentions?before=${encodeURIComponent(cursor)}&limit=100`)).body;
    refetch += JSON.stringify(page).length;
    if (!page.hasMore || page.intentions.length === 0) break;
    cursor = page.intentions[0].id;
  }
  return { perChangeBytes: single.reduce((a, b) => a + b, 0) / single.length, refetchBytes: refetch };
}));

// Sweeper recovery: a change committed without its notice (a lost enqueue), then the cron fires, every
// second here (production: every minute).
const recovery = quick ? undefined : await tryPart("sweeper recovery", () => withStack(0, { vars: { SYNC_GRACE_SECONDS: "2" }, cronIntervalMs: 1000 }, async (url, databaseUrl) => {
  const writer = await StackClient.guest(url, "Sweeper");
  const space = await createSpace(writer, "Lost");
  const { intention } = (await writer.request("POST", `/api/spaces/${space}/intentions`, { content: "before" })).body;
  const receivers = await Promise.all(Array.from({ length: 5 }, (_, i) => Receiver.join(url, space, `R${i}`)));
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  const lostAt = Date.now();
  const { rows: [row] } = await db.query(`UPDATE intentions SET content = '["lost"]' WHERE id = $1 RETURNING seq`, [intention.id]);
  const recovered = await eventually(() => receivers.every((r) => r.last >= Number(row.seq)), 30_000, 20);
  const recoveredAfter = Date.now() - lostAt;
  await db.end();
  await Promise.all(receivers.map((r) => r.close()));
  if (!recovered) throw new Error("the receivers did not get the lost change within 30 s");
  return recoveredAfter;
}));

console.log(`\n### Live sync, 1 writer and ${RECEIVERS} receivers (local stack, worker in ${runtime === "miniflare" ? "Miniflare" : "wrangler dev"}, real livekit-server, 2 cores)\n`);
console.log(`1-minute load average: ${loadAtStart} at the start, ${load()} at the end.\n`);
console.log("| batch timeout | target writes/s | achieved (failed writes) | load | write → receive p50 / p95 / p99 ms | commit → receive p50 / p99 ms | write round trip p50 ms | changes per LiveKit call | bytes per change per receiver | change JSON bytes | ratio | undelivered |");
console.log("|---|---|---|---|---|---|---|---|---|---|---|---|");
for (const r of rows) {
  if (!("p50" in r)) {
    console.log(`| ${r.timeout} s | ${r.rate} | failed (below) | | | | | | | | | |`);
    continue;
  }
  console.log(`| ${r.timeout} s | ${r.rate} | ${fmt(r.achieved, 1)} (${r.failed}) | ${r.load} | ${fmt(r.p50)} / ${fmt(r.p95)} / ${fmt(r.p99)} | ${fmt(r.commitP50)} / ${fmt(r.commitP99)} | ${fmt(r.writeP50)} | ${fmt(r.changesPerCall, 1)} | ${fmt(r.bytesPerChangePerReceiver)} | ${fmt(r.changeJson)} | ${fmt(r.bytesPerChangePerReceiver / r.changeJson, 2)} | ${r.undelivered} |`);
}
if (paths) printPaths(paths, RECEIVERS);
if (quick) process.exit(0);
console.log("\n| design | LiveKit calls per change | bytes each receiver pulls per change |");
console.log("|---|---|---|");
const best = rows.find((r): r is Row => "p50" in r && r.rate === 200 && r.timeout === BATCH_TIMEOUTS[0]);
console.log(`| this design at 200/s | ${fmt(1 / (best?.changesPerCall ?? NaN), 3)} | ${fmt(best?.bytesPerChangePerReceiver ?? NaN)} |`);
console.log(`| one sendData per change | 1 | ${fmt(naive?.perChangeBytes ?? NaN)} |`);
console.log(`| refetch the whole space (500 intentions) per change | 0 | ${fmt(naive?.refetchBytes ?? NaN)} |`);
console.log(`\nSweeper recovery of a lost broadcast (grace 2 s, cron tick every 1 s): ${fmt(recovery ?? NaN)} ms. In production the bound is SYNC_GRACE_SECONDS (10 s) + the cron period (60 s).`);
process.exit(0);
