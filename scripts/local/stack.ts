import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "./free-port.ts";
import { findLivekitServer, type LocalLivekit, startLivekit } from "./livekit.ts";
import { applyMigrations } from "./migrate.ts";
import { startNeonHttpEndpoint } from "./neon-http-endpoint.ts";
import { startPglite } from "./pglite.ts";
import { startMiniflare } from "./miniflare.ts";
import { type PostgresServer, startPostgres } from "./postgres.ts";
import { workerSettingsIn } from "./settings.ts";
import { vapidKeysFrom } from "./vapid.ts";
import { startWranglerDev } from "./wrangler.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const devSessionSecret = "local-dev-session-secret-never-use-in-production";
/** Seals bots' API keys locally (AES-GCM); production sets its own with `wrangler secret put BOT_SECRETS_KEY`. */
const devBotSecretsKey = "local-dev-bot-secrets-key-never-use-in-production";
/** Web Push's key pair locally; production sets its own with `wrangler secret put VAPID_PUBLIC_KEY` and VAPID_PRIVATE_KEY. */
const devVapidKeys = vapidKeysFrom("local-dev-vapid-key-never-use-in-production");

export type DatabaseOption = { kind: "pglite"; dataDir: string } | { kind: "postgres" } | { kind: "url"; url: string };

export interface StackOptions {
  database: DatabaseOption;
  /** auto: the cached livekit-server, else LIVEKIT_* from the environment, else off; required: fail instead of off. */
  livekit: "auto" | "required" | "off";
  port?: number;
  buildWeb?: boolean;
  /** Extra worker vars; they win over everything else. */
  vars?: Record<string, string>;
  /** Wrangler's local state (queues); a fresh temp dir by default so stacks never share queue state. */
  persistTo?: string;
  /** Let wrangler read the repo's .dev.vars (npm run dev); test stacks ignore it so a developer's settings never change a test. */
  devVars?: boolean;
  /** Hand the worker the settings set in this process's environment (`NAME=value npm run dev`), beneath the stack's own. */
  settingsFromEnvironment?: boolean;
  /** Forward wrangler's output to this terminal. */
  echo?: boolean;
  /** A wrangler config other than the repo's wrangler.toml (benchmarks vary the queue settings). */
  wranglerConfig?: string;
  /** Where the worker runs: `wrangler dev` (default), or Miniflare directly, without wrangler dev's entry proxy and inspector (benchmarks). */
  runtime?: "wrangler" | "miniflare";
  /** Fire the worker's scheduled handler this often: wrangler dev never runs cron triggers itself. */
  cronIntervalMs?: number;
  /** Aborts a start in progress (Ctrl-C during startup); what already started is stopped. */
  signal?: AbortSignal;
}

/** The stack's LiveKit server; down/up/restart throw for a server named by LIVEKIT_URL, which the stack does not manage. */
export type StackLivekit = Omit<LocalLivekit, "logFile">;

export interface Stack {
  url: string;
  databaseUrl: string;
  neonEndpoint: { url: string; stats(): { requests: number; statements: number }; resetStats(): void } | null;
  livekit: StackLivekit | null;
  /** The PostgreSQL server the stack started (database kind "postgres"), for outages; null otherwise. */
  postgres: Pick<PostgresServer, "down" | "up" | "pause" | "resume"> | null;
  stop(): Promise<void>;
}

/** Starts everything the app needs locally (web build, database, Neon endpoint, LiveKit, wrangler dev), or nothing if one part fails. */
export async function startStack(options: StackOptions): Promise<Stack> {
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) {
      await stop().catch((error: unknown) => console.error("stack: stopping a part failed:", error));
    }
  };
  const signal = options.signal;
  try {
    if (options.buildWeb) await buildWeb(signal);
    else await mkdir(join(root, "dist/web"), { recursive: true }); // wrangler refuses a missing assets dir
    signal?.throwIfAborted();

    const database = await startDatabase(options.database);
    stops.push(database.stop);
    signal?.throwIfAborted();

    // The worker's port is chosen first: the local LiveKit server sends its webhooks there.
    const port = options.port ?? (await freePort());
    const livekit = await resolveLivekit(options.livekit, `http://127.0.0.1:${port}/api/livekit/webhook`);
    if (livekit) stops.push(livekit.stop);
    signal?.throwIfAborted();

    const scratch = await mkdtemp(join(tmpdir(), "spaces-stack-"));
    stops.push(() => rm(scratch, { recursive: true, force: true }));
    let envFile: string | undefined;
    if (!options.devVars) {
      envFile = join(scratch, "empty.env");
      await writeFile(envFile, "");
    }
    // The stack's own values win: each already heeds the environment where the operator may choose
    // (DATABASE_URL, the secrets, LIVEKIT_*); NEON_HTTP_ENDPOINT is the endpoint the stack runs.
    const vars: Record<string, string> = {
      ...(options.settingsFromEnvironment ? workerSettingsIn(process.env) : {}),
      DATABASE_URL: database.url,
      ...(database.endpoint ? { NEON_HTTP_ENDPOINT: database.endpoint.url } : {}),
      SESSION_SECRET: process.env.SESSION_SECRET || devSessionSecret,
      BOT_SECRETS_KEY: process.env.BOT_SECRETS_KEY || devBotSecretsKey,
      ...(process.env.VAPID_PUBLIC_KEY && process.env.VAPID_PRIVATE_KEY
        ? { VAPID_PUBLIC_KEY: process.env.VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY: process.env.VAPID_PRIVATE_KEY }
        : devVapidKeys),
      ...(livekit
        ? { LIVEKIT_URL: livekit.url, LIVEKIT_API_KEY: livekit.apiKey, LIVEKIT_API_SECRET: livekit.apiSecret }
        : { LIVEKIT_URL: "" }), // live sync off, whatever the environment says
      ...options.vars,
    };
    const persistTo = options.persistTo ?? join(scratch, "wrangler-state");
    const wrangler = options.runtime === "miniflare"
      ? await startMiniflare({ port, vars, persistTo, config: options.wranglerConfig, echo: options.echo })
      : await startWranglerDev({ port, vars, persistTo, config: options.wranglerConfig, envFile, echo: options.echo, signal });
    // Wrangler first: the worker must not outlive the services it calls.
    stops.push(wrangler.stop);
    if (options.cronIntervalMs) {
      const cron = setInterval(() => {
        fetch(`${wrangler.url}/cdn-cgi/local/scheduled`).then((r) => r.body?.cancel(), () => undefined);
      }, options.cronIntervalMs);
      stops.push(async () => clearInterval(cron));
    }

    return {
      url: wrangler.url,
      databaseUrl: database.url,
      neonEndpoint: database.endpoint,
      livekit,
      postgres: database.postgres,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** Builds the web app into dist/web with vite, or leaves an empty dist/web if the web app is not there yet. */
export async function buildWeb(signal?: AbortSignal): Promise<void> {
  if (!existsSync(join(root, "vite.config.ts"))) {
    await mkdir(join(root, "dist/web"), { recursive: true });
    return;
  }
  const vite = spawn(process.execPath, [join(root, "node_modules/vite/bin/vite.js"), "build"], {
    cwd: root,
    stdio: ["ignore", "inherit", "inherit"],
    signal,
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    vite.once("exit", resolve);
    vite.once("error", reject);
  });
  if (code !== 0) throw new Error(`vite build failed (exit code ${code})`);
}

function isNeonHost(url: string): boolean {
  const host = new URL(url).hostname;
  return host === "neon.tech" || host.endsWith(".neon.tech");
}

async function startDatabase(option: DatabaseOption) {
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const each of stops.splice(0).reverse()) await each();
  };
  try {
    let connectionString: string;
    // PGlite is a single backend session: more than one connection would interleave transactions.
    let maxConnections: number | undefined;
    let postgres: PostgresServer | null = null;
    if (option.kind === "url") {
      connectionString = option.url;
      if (isNeonHost(connectionString)) {
        // Real Neon answers its HTTP protocol itself: the worker talks to it directly.
        await applyMigrations(connectionString);
        return { url: connectionString, endpoint: null, postgres, stop };
      }
    } else if (option.kind === "postgres") {
      postgres = await startPostgres();
      stops.push(postgres.stop);
      connectionString = postgres.connectionString;
    } else {
      const pglite = await startPglite({ dataDir: option.dataDir });
      stops.push(pglite.stop);
      connectionString = pglite.connectionString;
      maxConnections = 1;
    }
    await applyMigrations(connectionString);
    const endpoint = await startNeonHttpEndpoint({ connectionString, maxConnections });
    stops.push(endpoint.close);
    return { url: connectionString, endpoint, postgres, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

const howToTurnOn =
  "run `npm run livekit:install` (needs Go) or set LIVEKIT_URL, LIVEKIT_API_KEY and LIVEKIT_API_SECRET";

async function resolveLivekit(mode: StackOptions["livekit"], webhookUrl: string): Promise<StackLivekit | null> {
  if (mode === "off") return null;
  const { LIVEKIT_URL: url, LIVEKIT_API_KEY: apiKey, LIVEKIT_API_SECRET: apiSecret } = process.env;
  // A server named in the environment is a deliberate choice, so it wins over the cached binary.
  if (url) {
    if (!apiKey || !apiSecret) throw new Error("LIVEKIT_URL is set but LIVEKIT_API_KEY or LIVEKIT_API_SECRET is not");
    const unmanaged = async () => {
      throw new Error(`the LiveKit server at ${url} is not managed by this stack: it cannot be stopped or started`);
    };
    return { url, apiKey, apiSecret, stop: async () => undefined, down: unmanaged, up: unmanaged, restart: unmanaged };
  }
  if (findLivekitServer()) return startLivekit({ webhookUrl });
  if (mode === "required") throw new Error(`LiveKit is required but not available: ${howToTurnOn}.`);
  console.log(`Live sync is off: no LiveKit server. To turn it on, ${howToTurnOn}.`);
  return null;
}
