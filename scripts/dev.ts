// `npm run dev`: the whole app on this machine, from a fresh clone, until Ctrl-C.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Stack, startStack } from "./local/stack.ts";

const root = fileURLToPath(new URL("..", import.meta.url));

// .dev.vars may name a database or a LiveKit server; the environment still wins over it.
if (existsSync(join(root, ".dev.vars"))) process.loadEnvFile(join(root, ".dev.vars"));

const aborter = new AbortController();
let stack: Stack | undefined;
let stopping = false;

async function shutdown(signal: NodeJS.Signals) {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping…`);
  aborter.abort();
  // Mid-start, startStack sees the abort, stops what it started and rejects (handled below).
  if (!stack) return;
  await stack.stop();
  process.exit(0);
}
// The children run in their own process groups, so they outlive us unless we stop them: a
// closed terminal (SIGHUP) must stop them as Ctrl-C does.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, shutdown);

const databaseUrl = process.env.DATABASE_URL;
try {
  stack = await startStack({
    database: databaseUrl ? { kind: "url", url: databaseUrl } : { kind: "pglite", dataDir: join(root, ".data/pglite") },
    livekit: "auto",
    port: Number(process.env.PORT) || 8787,
    buildWeb: true,
    persistTo: join(root, ".data/wrangler"),
    devVars: true,
    settingsFromEnvironment: true,
    cronIntervalMs: 60_000, // wrangler.toml's "* * * * *"
    echo: true,
    signal: aborter.signal,
  });
} catch (error) {
  if (stopping) process.exit(0);
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
if (stopping) {
  await stack.stop();
  process.exit(0);
} else {
  const live = stack.livekit ? `live sync via ${stack.livekit.url}` : "live sync off";
  const database = databaseUrl ? "DATABASE_URL" : "PGlite in .data/pglite";
  // Named as localhost, the address it listens on: WebAuthn refuses passkeys on an IP address.
  const url = stack.url.replace("//127.0.0.1:", "//localhost:");
  console.log(`\n  Spaces is running at ${url}\n  (${database}; ${live}; Ctrl-C stops everything)\n`);
}
