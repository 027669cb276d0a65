// Brings a database up to date: the drizzle-kit migrations in drizzle/ (or another folder), then the
// rulebook, the current version of every SQL function (src/worker/db/rulebook.sql).
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";

const repoMigrations = fileURLToPath(new URL("../../drizzle", import.meta.url));
const rulebook = fileURLToPath(new URL("../../src/worker/db/rulebook.sql", import.meta.url));

/**
 * Applies every pending migration in `migrationsFolder` (default: the repo's drizzle/) to `connectionString`,
 * then, for the repo's migrations, the rulebook (idempotent: it runs every time). Another folder (a test's
 * fixtures) is a schema of its own, which the rulebook's functions do not fit.
 */
export async function applyMigrations(connectionString: string, migrationsFolder = repoMigrations): Promise<void> {
  // One client, not a pool: the PGlite socket serves a single session.
  const client = new pg.Client(connectionString);
  await client.connect();
  try {
    await migrate(drizzle({ client }), { migrationsFolder });
    // One simple-protocol query runs the whole file, in one implicit transaction.
    if (migrationsFolder === repoMigrations) await client.query(await readFile(rulebook, "utf8"));
  } finally {
    await client.end();
  }
}
