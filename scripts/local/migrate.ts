// Applies the drizzle-kit migrations in drizzle/ (or another folder) to a database.
import { fileURLToPath } from "node:url";
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";

const repoMigrations = fileURLToPath(new URL("../../drizzle", import.meta.url));

/** Applies every pending migration in `migrationsFolder` (default: the repo's drizzle/) to `connectionString`. */
export async function applyMigrations(connectionString: string, migrationsFolder = repoMigrations): Promise<void> {
  // One client, not a pool: the PGlite socket serves a single session.
  const client = new pg.Client(connectionString);
  await client.connect();
  try {
    await migrate(drizzle({ client }), { migrationsFolder });
  } finally {
    await client.end();
  }
}
