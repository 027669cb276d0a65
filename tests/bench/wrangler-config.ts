// Benchmarks' wrangler.toml: the repo's, with absolute paths (it is written to a temp dir), the sync
// consumer's batch timeout set, and the write rate limit lifted for a load test.
import { readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("../..", import.meta.url).pathname;

/** Writes the benchmark's wrangler.toml and returns its path. */
export async function benchConfig(batchTimeout: number, botBatchSize?: number): Promise<string> {
  let config = await readFile(join(root, "wrangler.toml"), "utf8");
  // The bots' consumer (the second [[queues.consumers]]): how many turns one invocation runs at once.
  if (botBatchSize) config = config.replace(/(queue = "spaces-bots"\nmax_batch_size = )\d+/, `$1${botBatchSize}`);
  config = config
    .replace(/^main = .*$/m, `main = "${join(root, "src/worker/index.ts")}"`)
    .replace(/^directory = .*$/m, `directory = "${join(root, "dist/web")}"`)
    .replace(/^max_batch_timeout = .*$/m, `max_batch_timeout = ${batchTimeout}`)
    .replace(/simple = \{ limit = \d+/, "simple = { limit = 1000000");
  const path = join(tmpdir(), `spaces-bench-wrangler-${batchTimeout}-${botBatchSize ?? "default"}.toml`);
  await writeFile(path, config);
  return path;
}
