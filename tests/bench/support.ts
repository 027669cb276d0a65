/** What the benchmarks share: the bench wrangler config, an admin for the pipeline's counters, figures, the guarded run. */
import { rmSync } from "node:fs";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { type Stack, type StackOptions, startStack } from "../../scripts/local/stack.ts";
import type { BeingId } from "../../src/shared/entities.ts";
import { StackClient } from "../integration/http.ts";
import { startGuarded } from "./run.ts";

export { countFailure, stopOnExit, tryPart } from "./run.ts";

const root = new URL("../..", import.meta.url).pathname;

/** The p-th percentile (nearest rank) of `values`; NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/** The value after `--name` on the command line, if given. */
export function option(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : undefined;
}

/** A figure for a table: fixed digits, "–" when there is none. */
export const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : "–");

/** A markdown table row of a distribution in ms: label, n, p50, p90, max. */
export const distributionRow = (label: string, values: readonly number[]) =>
  `| ${label} | ${values.length} | ${fmt(percentile(values, 50))} | ${fmt(percentile(values, 90))} | ${fmt(Math.max(...values))} |`;

/**
 * wrangler.toml with the sync consumer's batch timeout set and the write limit lifted for a load
 * test, in a fresh temp dir (two checkouts benchmarking at once must not share it).
 */
export async function benchConfig(batchTimeout: number): Promise<string> {
  const config = (await readFile(join(root, "wrangler.toml"), "utf8"))
    .replace(/^main = .*$/m, `main = "${join(root, "src/worker/index.ts")}"`)
    .replace(/^directory = .*$/m, `directory = "${join(root, "dist/web")}"`)
    .replace(/^max_batch_timeout = .*$/m, `max_batch_timeout = ${batchTimeout}`)
    .replace(/simple = \{ limit = \d+/, "simple = { limit = 1000000");
  const dir = await mkdtemp(join(tmpdir(), "spaces-bench-"));
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, "wrangler.toml");
  await writeFile(path, config);
  return path;
}

/** Signs in a guest and makes it a superuser, for GET /api/admin/stats. */
export async function signInAdmin(url: string, databaseUrl: string): Promise<StackClient> {
  const admin = await StackClient.guest(url, "Bench admin");
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  await db.query(`UPDATE beings SET properties = '{"superuser": true}' WHERE id = $1`, [admin.id]);
  await db.end();
  return admin;
}

/** Creates a space as `client`, or throws saying what the server answered. */
export async function createSpace(client: StackClient, name: string): Promise<BeingId> {
  const reply = await client.request("POST", "/api/beings", { name, type: "space" });
  if (reply.status !== 201) throw new Error(`creating a space failed: ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body.being.id;
}

/** Messages as people write them: plain lines, some Markdown, a few long ones. */
export function benchMessage(i: number): string {
  const kinds = [
    `Message ${i}: shall we meet at ${i % 12 + 1} o'clock?`,
    `**Note ${i}**: the draft is in [the shared folder](https://example.com/drafts/${i}), see _section ${i % 7}_.`,
    `A list for ${i}:\n- bread\n- milk\n- \`code ${i}\``,
    `${"A longer thought that goes on for a while, as some messages do. ".repeat(4)}(${i})`,
  ];
  return kinds[i % kinds.length]!;
}

/** Posts `count` messages (benchMessage) into `space` as `writer`, or throws saying what the server answered. */
export async function seedMessages(writer: StackClient, space: BeingId, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const posted = await writer.request("POST", `/api/spaces/${encodeURIComponent(space)}/intentions`, { content: benchMessage(i) });
    if (posted.status !== 201) throw new Error(`seeding failed: ${posted.status} ${JSON.stringify(posted.body)}`);
  }
}

/** The sync pipeline's running totals (calls, batches, changes, deferred, rate_limited …). */
export async function counters(admin: StackClient): Promise<Record<string, number>> {
  return (await admin.request("GET", "/api/admin/stats")).body.counters as Record<string, number>;
}

/** Sleeps `ms`. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The machine's 1-minute load average, for the tables' captions (the machine is shared). */
export const load = () => loadavg()[0]!.toFixed(2);

/** startStack, stopped however the benchmark ends (Ctrl-C mid-start included). */
export const startBenchStack = (options: StackOptions): Promise<Stack> => startGuarded((signal) => startStack({ signal, ...options }));

/**
 * A stack for a benchmark that seeds PostgreSQL itself and measures the worker's answers (no LiveKit), with a
 * connection to its database (the benchmark ends it before it stops the stack).
 */
export async function startSeededStack(): Promise<{ stack: Stack; db: pg.Client }> {
  const stack = await startBenchStack({ database: { kind: "postgres" }, livekit: "off", runtime: "miniflare", wranglerConfig: await benchConfig(0) });
  const db = new pg.Client({ connectionString: stack.databaseUrl });
  await db.connect();
  return { stack, db };
}
