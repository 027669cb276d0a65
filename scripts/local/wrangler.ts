import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { freePort } from "./free-port.ts";
import { startProcess, stopGroup, waitForHttp } from "./process.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const keptOutput = 64 * 1024;

export interface WranglerDev {
  url: string;
  /** What wrangler printed so far (the last 64 KiB), for error reports. */
  output(): string;
  stop(): Promise<void>;
}

/** Runs `wrangler dev` on loopback with the given vars and waits until GET /api/health answers. */
export async function startWranglerDev(options: {
  port?: number;
  vars: Record<string, string>;
  persistTo: string;
  /** A wrangler config other than the repo's wrangler.toml (benchmarks vary the queue settings). */
  config?: string;
  /** An .env-format file read instead of the repo's .dev.vars (test stacks pass an empty one). */
  envFile?: string;
  echo?: boolean;
  signal?: AbortSignal;
}): Promise<WranglerDev> {
  const port = options.port ?? (await freePort());
  // The devtools inspector defaults to 9229: two stacks at once would fight over it.
  const inspectorPort = await freePort();
  const args = [
    join(root, "node_modules/wrangler/bin/wrangler.js"), "dev",
    "--ip", "127.0.0.1", "--port", String(port),
    "--inspector-ip", "127.0.0.1", "--inspector-port", String(inspectorPort),
    "--persist-to", options.persistTo,
    ...(options.config ? ["--config", options.config] : []),
    "--show-interactive-dev-session=false",
    ...(options.envFile ? ["--env-file", options.envFile] : []),
    ...Object.entries(options.vars).flatMap(([name, value]) => ["--var", `${name}:${value}`]),
  ];
  const running = startProcess(process.execPath, args, {
    cwd: root,
    // The banner's update check, metrics and miniflare's Request.cf download would reach npm and
    // Cloudflare; nothing local may leave loopback (request.cf falls back to a placeholder).
    env: {
      ...process.env,
      WRANGLER_HIDE_BANNER: "true",
      WRANGLER_SEND_METRICS: "false",
      CLOUDFLARE_CF_FETCH_ENABLED: "false",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const collect = (sink: NodeJS.WriteStream) => (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-keptOutput);
    if (options.echo) sink.write(chunk);
  };
  running.child.stdout?.on("data", collect(process.stdout));
  running.child.stderr?.on("data", collect(process.stderr));

  const url = `http://127.0.0.1:${port}`;
  const stop = () => stopGroup(running, { graceMs: 5_000 });
  try {
    await waitForHttp(`${url}/api/health`, running, 90_000, options.signal);
  } catch (error) {
    await stop();
    throw new Error(`wrangler dev ${(error as Error).message}\n--- wrangler output ---\n${output}`);
  }
  return { url, output: () => output, stop };
}
