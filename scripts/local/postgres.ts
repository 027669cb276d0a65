// A throwaway (or persisted) PostgreSQL server for tests and the local stack.
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync, realpathSync } from "node:fs";
import { chown, mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { freePort } from "./free-port.ts";

const run = promisify(execFile);
const serverBinaries = ["initdb", "pg_ctl", "postgres"];

export interface PostgresServer {
  connectionString: string;
  /** Stops the server for good (and removes a temporary data dir). */
  stop(): Promise<void>;
  /** Stops the server but keeps its data dir and port, so up() brings back the same database (an outage). */
  down(): Promise<void>;
  /** Starts the server again after down(); a no-op while it runs. */
  up(): Promise<void>;
  /** Freezes every server process (SIGSTOP): connections are accepted by the kernel but nothing answers (a hung database). */
  pause(): Promise<void>;
  /** Lets a paused server run again (a no-op on one that runs); what it was asked meanwhile is answered then. */
  resume(): Promise<void>;
}

/** Starts PostgreSQL on a free loopback port with a `spaces` database; reuses a cluster already in `dataDir`. */
export async function startPostgres(options: { dataDir?: string; port?: number } = {}): Promise<PostgresServer> {
  const bin = findServerBinaries();
  const temporary = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), "spaces-postgres-")));
  const port = options.port ?? (await freePort());
  const logFile = join(dataDir, "server.log");
  const pgCtl = (...args: string[]) => runAsPostgres(join(bin, "pg_ctl"), ["-D", dataDir, ...args]);
  const server = `postgresql://postgres@127.0.0.1:${port}`;
  // No Unix socket: it would collide with a system cluster's lock file in /var/run/postgresql.
  const settings = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' `
    + "-c fsync=off -c synchronous_commit=off -c full_page_writes=off";
  const up = async () => {
    const running = await pgCtl("status").then(() => true, () => false);
    if (!running) await pgCtl("start", "-w", "-t", "30", "-l", logFile, "-o", settings);
  };
  const signalAll = async (signal: NodeJS.Signals) => {
    for (const pid of await serverProcesses(dataDir)) {
      try {
        process.kill(pid, signal);
      } catch {
        // ESRCH: it ended since it was listed (a backend whose client left).
      }
    }
  };
  const down = async () => {
    // A paused server would never act on the stop request.
    await signalAll("SIGCONT");
    // Not "immediate": with synchronous_commit=off it drops the last commits of a kept cluster.
    // A failure means no server is running, which is what down() wants anyway.
    await pgCtl("stop", "-w", "-m", "fast").catch(() => undefined);
  };
  const stop = async () => {
    await down();
    if (temporary) await rm(dataDir, { recursive: true, force: true });
  };
  try {
    if (!existsSync(join(dataDir, "PG_VERSION"))) {
      await mkdir(dataDir, { recursive: true });
      // The server refuses to run as root, so the cluster belongs to `postgres`.
      if (isRoot()) await chown(dataDir, ...(await postgresIds()));
      await runAsPostgres(join(bin, "initdb"), [
        "-D", dataDir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions",
      ]);
    }
    await up();
    await createDatabase(server, "spaces");
  } catch (error) {
    const log = await readFile(logFile, "utf8").catch(() => "");
    await stop();
    throw new Error(`PostgreSQL did not start: ${reason(error)}\n${log.slice(-2000)}`, { cause: error });
  }
  return {
    connectionString: `${server}/spaces`,
    stop,
    down,
    up,
    pause: () => signalAll("SIGSTOP"),
    resume: () => signalAll("SIGCONT"),
  };
}

/**
 * The postmaster (first line of postmaster.pid) and its children, none when no server runs. Each
 * child runs in a session of its own (PostgreSQL calls setsid), so no process group reaches them
 * all: they are found by parent.
 */
async function serverProcesses(dataDir: string): Promise<number[]> {
  const pidFile = await readFile(join(dataDir, "postmaster.pid"), "utf8").catch(() => undefined);
  if (pidFile === undefined) return [];
  const postmaster = Number(pidFile.split("\n")[0]);
  const children = readdirSync("/proc").filter((entry) => /^\d+$/.test(entry)).filter((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === postmaster;
    } catch {
      return false; // the process ended while we looked
    }
  });
  return [postmaster, ...children.map(Number)];
}

function findServerBinaries(): string {
  // Debian's /usr/bin/pg_ctl is a Perl wrapper; only a directory holding all three server programs will do.
  const pathCandidates = (process.env.PATH ?? "").split(delimiter)
    .filter((dir) => dir && existsSync(join(dir, "pg_ctl")))
    .map((dir) => dirname(realpathSync(join(dir, "pg_ctl"))));
  const versioned = existsSync("/usr/lib/postgresql")
    ? readdirSync("/usr/lib/postgresql").filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a))
      .map((v) => `/usr/lib/postgresql/${v}/bin`)
    : [];
  const found = [...pathCandidates, ...versioned].find((dir) => serverBinaries.every((b) => existsSync(join(dir, b))));
  if (!found) throw new Error("No PostgreSQL server binaries found (initdb, pg_ctl, postgres): apt-get install postgresql");
  return found;
}

async function createDatabase(server: string, name: string): Promise<void> {
  const client = new pg.Client(`${server}/postgres`);
  await client.connect();
  try {
    const { rowCount } = await client.query("select 1 from pg_database where datname = $1", [name]);
    if (rowCount === 0) await client.query(`create database ${name}`);
  } finally {
    await client.end();
  }
}

async function runAsPostgres(file: string, args: string[]): Promise<void> {
  // cwd "/" because `postgres` may not be allowed into the caller's working directory.
  if (isRoot()) await run("runuser", ["-u", "postgres", "--", file, ...args], { cwd: "/" });
  else await run(file, args, { cwd: "/" });
}

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

async function postgresIds(): Promise<[number, number]> {
  const { stdout } = await run("id", ["postgres"]).catch(() => ({ stdout: "" }));
  const uid = /uid=(\d+)/.exec(stdout)?.[1];
  const gid = /gid=(\d+)/.exec(stdout)?.[1];
  if (!uid || !gid) throw new Error("Running as root needs a `postgres` user: apt-get install postgresql");
  return [Number(uid), Number(gid)];
}

function reason(error: unknown): string {
  const stderr = (error as { stderr?: string }).stderr;
  return stderr?.trim() || (error instanceof Error ? error.message : String(error));
}
