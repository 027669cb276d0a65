// The write path's own ceiling: closed-loop writers (each sends its next write when the last is answered)
// against one space, through wrangler dev and through Miniflare directly, with nobody in the room.
// Run: npm run bench:write-ceiling   (prints a markdown table; about a minute)
import { StackClient } from "../integration/http.ts";
import { benchConfig, createSpace, fmt, load, percentile, startBenchStack } from "./support.ts";

const CONCURRENCY = [1, 8, 32];
const SECONDS = 6;
const RUNTIMES = ["wrangler", "miniflare"] as const;

interface Row {
  runtime: (typeof RUNTIMES)[number];
  concurrency: number;
  writesPerSecond: number;
  p50: number;
  p99: number;
}

const loadAtStart = load();
const rows: Row[] = [];
for (const runtime of RUNTIMES) {
  const stack = await startBenchStack({ database: { kind: "postgres" }, livekit: "required", runtime, wranglerConfig: await benchConfig(0) });
  try {
    const writer = await StackClient.guest(stack.url, "Ceiling");
    const space = await createSpace(writer, "Ceiling");
    const write = async (n: number) => {
      const reply = await writer.request("POST", `/api/spaces/${space}/intentions`, { content: `write ${n}` });
      if (reply.status !== 201) throw new Error(`write failed: ${reply.status}`);
    };
    // Warm-up, not measured: the first writes pay for the isolate, the pools and the queue.
    for (let i = 0; i < 50; i++) await write(i);
    for (const concurrency of CONCURRENCY) {
      const times: number[] = [];
      const end = Date.now() + SECONDS * 1000;
      const started = Date.now();
      await Promise.all(Array.from({ length: concurrency }, async () => {
        while (Date.now() < end) {
          const sent = Date.now();
          await write(times.length);
          times.push(Date.now() - sent);
        }
      }));
      rows.push({ runtime, concurrency, writesPerSecond: times.length / ((Date.now() - started) / 1000), p50: percentile(times, 50), p99: percentile(times, 99) });
    }
  } finally {
    await stack.stop();
  }
}

console.log("\n### Write ceiling: closed-loop writers to one space, nobody in its room (PostgreSQL, 2 cores)\n");
console.log(`1-minute load average ${loadAtStart} at the start, ${load()} at the end.\n`);
console.log("| worker runs in | writes in flight | writes/s | round trip p50 / p99 ms |");
console.log("|---|---:|---:|---|");
for (const r of rows) {
  console.log(`| ${r.runtime === "wrangler" ? "wrangler dev" : "Miniflare"} | ${r.concurrency} | ${fmt(r.writesPerSecond)} | ${fmt(r.p50)} / ${fmt(r.p99)} |`);
}
process.exit(0);
