// A throwaway (or persisted) PostgreSQL server for tests and the local stack.
import { execFile } from "node:child_process";
import { existsSync, readdirSync, realpathSync } from "node:fs";
import { chown, mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { freePort } from "./free-port.ts";

const run = promisify(execFile);
const serverBinaries = ["initdb", "pg_ctl", "postgres"];

export type PostgresServer = { connectionString: string; stop(): Promise<void> };

/** Starts PostgreSQL on a free loopback port with a `spaces` database; reuses a cluster already in `dataDir`. */
export async function startPostgres(options: { dataDir?: string; port?: number } = {}): Promise<PostgresServer> {
  const bin = findServerBinaries();
  const temporary = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), "spaces-postgres-")));
  const port = options.port ?? (await freePort());
  const logFile = join(dataDir, "server.log");
  const pgCtl = (...args: string[]) => runAsPostgres(join(bin, "pg_ctl"), ["-D", dataDir, ...args]);
  const server = `postgresql://postgres@127.0.0.1:${port}`;
  const stop = async () => {
    // Not "immediate": with synchronous_commit=off it drops the last commits of a kept cluster.
    // A failure means no server is running, which is what stop() wants anyway.
    await pgCtl("stop", "-w", "-m", "fast").catch(() => undefined);
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
    // No Unix socket: it would collide with a system cluster's lock file in /var/run/postgresql.
    const settings = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' `
      + "-c fsync=off -c synchronous_commit=off -c full_page_writes=off";
    await pgCtl("start", "-w", "-t", "30", "-l", logFile, "-o", settings);
    await createDatabase(server, "spaces");
  } catch (error) {
    const log = await readFile(logFile, "utf8").catch(() => "");
    await stop();
    throw new Error(`PostgreSQL did not start: ${reason(error)}\n${log.slice(-2000)}`, { cause: error });
  }
  return { connectionString: `${server}/spaces`, stop };
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
