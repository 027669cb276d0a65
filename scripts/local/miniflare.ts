// The worker in Miniflare directly: the bundle `wrangler deploy` would upload, with the bindings its
// config declares, served by workerd itself. `wrangler dev` puts an entry proxy (a second workerd) and
// the devtools inspector in front of the worker, and on 2 cores they, not the worker, cap the write
// path, so the benchmarks run it here instead (docs/benchmarks.md has the figures).
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { freePort } from "./free-port.ts";
import type { WranglerDev } from "./wrangler.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const run = promisify(execFile);
const keptOutput = 64 * 1024;

/** Bundles the worker as `wrangler deploy` would (its dry run) and serves it from Miniflare on loopback. */
export async function startMiniflare(options: {
  port?: number;
  vars: Record<string, string>;
  persistTo: string;
  config?: string;
  echo?: boolean;
}): Promise<WranglerDev> {
  const config = options.config ?? join(root, "wrangler.toml");
  const outdir = await mkdtemp(join(tmpdir(), "spaces-bundle-"));
  try {
    await run(process.execPath, [
      join(root, "node_modules/wrangler/bin/wrangler.js"), "deploy", "--dry-run", "--outdir", outdir, "--config", config,
    ], { cwd: root, env: { ...process.env, WRANGLER_HIDE_BANNER: "true", WRANGLER_SEND_METRICS: "false" } });
  } catch (error) {
    await rm(outdir, { recursive: true, force: true });
    throw new Error(`wrangler deploy --dry-run failed: ${(error as { stderr?: string }).stderr ?? error}`);
  }

  let output = "";
  // The bundle is one module, so wrangler's module rules have nothing to apply to.
  const { modulesRules: _, ...workerOptions } = unstable_getMiniflareWorkerOptions(config).workerOptions;
  const port = options.port ?? (await freePort());
  // Miniflare 5 takes its own option shape; wrangler's helper speaks v4's, as wrangler itself converts.
  const miniflare = new Miniflare(convertV4MiniflareOptions({
    ...workerOptions,
    name: "spaces",
    // Module names are paths relative to the root; the config's own directory may not hold the bundle.
    rootPath: outdir,
    modules: true,
    scriptPath: join(outdir, "index.js"),
    bindings: { ...(workerOptions.bindings as Record<string, string> | undefined), ...options.vars },
    host: "127.0.0.1",
    port,
    // The sweeper is fired through /cdn-cgi/local/scheduled, as with wrangler dev.
    unsafeTriggerHandlers: true,
    resourcePersistencePath: options.persistTo,
    handleStructuredLogs: ({ message }) => {
      output = (output + message + "\n").slice(-keptOutput);
      if (options.echo) console.log(message);
    },
    telemetry: { enabled: false },
    cf: false,
  }));
  const stop = async () => {
    await miniflare.dispose();
    await rm(outdir, { recursive: true, force: true });
  };
  try {
    await miniflare.ready;
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `http://127.0.0.1:${port}`, output: () => output, stop };
}
