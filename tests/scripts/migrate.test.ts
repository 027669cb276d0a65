import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, beforeAll, expect, test } from "vitest";
import { applyMigrations } from "../../scripts/local/migrate.ts";
import { type PostgresServer, startPostgres } from "../../scripts/local/postgres.ts";

const fixtureMigrations = fileURLToPath(new URL("./fixtures/migrations", import.meta.url));

let postgres: PostgresServer;
beforeAll(async () => {
  postgres = await startPostgres();
}, 30_000);
afterAll(() => postgres?.stop());

async function query(text: string): Promise<unknown[]> {
  const client = new pg.Client(postgres.connectionString);
  await client.connect();
  try {
    return (await client.query(text)).rows;
  } finally {
    await client.end();
  }
}

test("startPostgres serves a `spaces` database", async () => {
  expect(await query("select current_database() as name")).toEqual([{ name: "spaces" }]);
});

test("applyMigrations applies each migration once", async () => {
  await applyMigrations(postgres.connectionString, fixtureMigrations);
  await applyMigrations(postgres.connectionString, fixtureMigrations);
  expect(await query("select body from notes")).toEqual([{ body: "seeded by a migration" }]);
  expect(await query("select count(*)::int4 as n from drizzle.__drizzle_migrations")).toEqual([{ n: 2 }]);
});
