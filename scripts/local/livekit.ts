import { closeSync, existsSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import dgram from "node:dgram";
import { freePort } from "./free-port.ts";
import { type Running, startProcess, stopGroup, waitForHttp } from "./process.ts";

// Keep in step with scripts/install-livekit.sh, which builds and caches this version.
const VERSION = "v1.13.5";

export interface LocalLivekit {
  url: string;
  apiKey: string;
  apiSecret: string;
  logFile: string;
  /** Stops the server for good and removes its temp dir. */
  stop(): Promise<void>;
  /** Stops the server but keeps its ports and config, so up() brings back the same address (an outage). */
  down(): Promise<void>;
  /** Starts the server again after down(); a no-op while it runs. */
  up(): Promise<void>;
  /** down() then up(). */
  restart(): Promise<void>;
}

/** The cached livekit-server binary that scripts/install-livekit.sh builds, or null if absent. */
export function findLivekitServer(): string | null {
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  const path = join(cache, "spaces", `livekit-server-${VERSION}`, "livekit-server");
  return existsSync(path) ? path : null;
}

async function freeUdpPort(): Promise<number> {
  const socket = dgram.createSocket("udp4");
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(0, "127.0.0.1", resolve);
  });
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

// Every port is chosen per instance so two servers (npm run dev beside a test run) never
// collide. ICE over TCP is off because livekit-server listens for it on every interface
// with no bind option; UDP is restricted to loopback by the IP filter, and loopback
// candidates must be enabled for that filter to leave anything.
// ICE lite: the server's address is known (no NAT to probe), so it answers the page's checks instead
// of running its own. With full ICE it learned the page's address only from the page's first check (a
// page without camera permission names its own addresses by mDNS, which the server cannot resolve),
// was connected only after a check of its own, and so lost the page's first handshake message; the
// page resent it a second later, and others saw every newcomer a second late (livekit-server's
// connectTime 1.03 s; bench:presence, from the newcomer's first paint to being seen online: p50
// 1,279 ms, against 372 ms with ICE lite, at one load).
// Webhooks go to the worker (room occupancy: see src/worker/sync/occupancy.ts), signed with the dev key.
function config(signalPort: number, udpPort: number, webhookUrl: string | undefined): string {
  return [
    `port: ${signalPort}`,
    ...(webhookUrl ? ["webhook:", "  api_key: devkey", "  urls:", `    - ${webhookUrl}`] : []),
    "rtc:",
    "  tcp_port: 0",
    `  udp_port: ${udpPort}`,
    "  enable_loopback_candidate: true",
    "  use_ice_lite: true",
    "  ips:",
    "    includes: [127.0.0.1/32]",
    "logging:",
    "  level: info",
    "",
  ].join("\n");
}

/** Starts livekit-server in --dev mode (keys devkey/secret) on free loopback ports; logs go to a file. */
export async function startLivekit(options: { port?: number; webhookUrl?: string } = {}): Promise<LocalLivekit> {
  const binary = findLivekitServer();
  if (!binary) {
    throw new Error("livekit-server is not installed: run `npm run livekit:install` (needs Go)");
  }
  const dir = await mkdtemp(join(tmpdir(), "spaces-livekit-"));
  const signalPort = options.port ?? (await freePort());
  const udpPort = await freeUdpPort();
  const configFile = join(dir, "livekit.yaml");
  const logFile = join(dir, "livekit.log");
  writeFileSync(configFile, config(signalPort, udpPort, options.webhookUrl));
  const url = `ws://127.0.0.1:${signalPort}`;

  let running: Running | null = null;
  const launch = async () => {
    const log = openSync(logFile, "a");
    try {
      running = startProcess(
        binary,
        ["--dev", "--config", configFile, "--bind", "127.0.0.1", "--node-ip", "127.0.0.1"],
        { stdio: ["ignore", log, log] },
      );
    } finally {
      closeSync(log);
    }
    try {
      await waitForHttp(`http://127.0.0.1:${signalPort}/`, running, 30_000);
      // The server answers HTTP 100 ms before it marks itself running, and a SIGTERM in that
      // window is dropped (pkg/service/server.go), so an early stop() would hang until forced.
      await sleep(150);
    } catch (error) {
      await halt();
      const tail = readFileSync(logFile, "utf8").split("\n").slice(-30).join("\n");
      throw new Error(`livekit-server ${(error as Error).message}\n--- ${logFile} ---\n${tail}`);
    }
  };
  // LiveKit's first SIGTERM waits for connected participants to leave; its second forces the
  // shutdown (signals sent back to back could coalesce, hence the grace between them).
  const halt = async () => {
    if (!running) return;
    const current: Running = running;
    running = null;
    await stopGroup(current, { signals: ["SIGTERM", "SIGTERM"], graceMs: 500 });
  };

  try {
    await launch();
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url,
    apiKey: "devkey",
    apiSecret: "secret",
    logFile,
    async stop() {
      await halt();
      await rm(dir, { recursive: true, force: true });
    },
    down: halt,
    async up() {
      if (!running) await launch();
    },
    async restart() {
      await halt();
      await launch();
    },
  };
}
