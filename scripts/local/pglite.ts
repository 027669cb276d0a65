// The embedded default database: PGlite persisted in a directory, served over the Postgres wire protocol.
//
// PGlite is one backend session shared by every socket: an open transaction on one connection blocks
// the others, so put the Neon endpoint in front with `maxConnections: 1` (and migrate with one pg.Client).
// Fine for one developer; tests use a real PostgreSQL (postgres.ts).
import { mkdir } from "node:fs/promises";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

const stopTimeoutMs = 2000;

export type PgliteServer = { connectionString: string; stop(): Promise<void> };

/** Opens (or creates) the PGlite database in `dataDir` and serves it on a free loopback port. */
export async function startPglite(options: { dataDir: string }): Promise<PgliteServer> {
  await mkdir(options.dataDir, { recursive: true });
  const db = await PGlite.create(options.dataDir);
  const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0 });
  await server.start();
  return {
    // PGlite has one database, `postgres`, and ignores the user and password.
    connectionString: `postgresql://postgres@${server.getServerConn()}/postgres`,
    async stop() {
      // server.stop() waits for every client socket to close, and the socket server does not close
      // one on Terminate; bound the wait so Ctrl-C never hangs, then close the db so it is flushed.
      await Promise.race([server.stop(), new Promise((resolve) => setTimeout(resolve, stopTimeoutMs).unref())]);
      await db.close();
    },
  };
}
