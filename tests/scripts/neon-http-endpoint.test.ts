import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { neon, neonConfig } from "@neondatabase/serverless";
import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/neon-http";
import { bigint, boolean, jsonb, pgTable, serial, text, timestamp } from "drizzle-orm/pg-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { applyMigrations } from "../../scripts/local/migrate.ts";
import { type NeonHttpEndpoint, startNeonHttpEndpoint } from "../../scripts/local/neon-http-endpoint.ts";
import { startPglite } from "../../scripts/local/pglite.ts";
import { type PostgresServer, startPostgres } from "../../scripts/local/postgres.ts";

const fixtureMigrations = fileURLToPath(new URL("./fixtures/migrations", import.meta.url));

// The driver wants a well-formed URL; the endpoint ignores it and uses its own connection string.
const sql = neon("postgresql://spaces:secret@db.localtest.me/spaces");
const db = drizzle({ client: sql });

const notes = pgTable("notes", {
  id: serial().primaryKey(),
  body: text().notNull(),
  views: bigint({ mode: "bigint" }).notNull(),
  pinned: boolean().notNull(),
  meta: jsonb(),
  tags: text().array().notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
});

describe("Neon HTTP endpoint on PostgreSQL", () => {
  let postgres: PostgresServer;
  let endpoint: NeonHttpEndpoint;

  beforeAll(async () => {
    postgres = await startPostgres();
    await applyMigrations(postgres.connectionString, fixtureMigrations);
    endpoint = await startNeonHttpEndpoint({ connectionString: postgres.connectionString });
    neonConfig.fetchEndpoint = endpoint.url;
  }, 30_000);
  afterAll(async () => {
    await endpoint?.close();
    await postgres?.stop();
  });

  test("answers a parameterised select", async () => {
    const rows = await sql`select ${2}::int4 + ${3}::int4 as sum, ${"it's"} as quoted`;
    expect(rows).toEqual([{ sum: 5, quoted: "it's" }]);
  });

  test("returns raw text that the driver parses by type", async () => {
    const [row] = await sql`select ${"9007199254740993"}::int8 as big, ${true}::bool as yes, ${[1, 2]}::int4[] as ints,
      ${{ a: [1, "b"] }}::jsonb as doc, ${null}::text as nothing`;
    // int8 stays a string beyond 2^53: proof the endpoint did not parse it into a JS number on the way.
    // Timestamps are checked through drizzle below: constructing drizzle(neon-http) switches the driver's
    // global date parsers to strings, so a raw `sql` select returns them unparsed once drizzle exists.
    expect(row).toEqual({ big: "9007199254740993", yes: true, ints: [1, 2], doc: { a: [1, "b"] }, nothing: null });
  });

  test("round-trips a row of every column type through drizzle", async () => {
    const createdAt = new Date("2026-03-04T05:06:07.890Z");
    const written = {
      body: "types",
      views: 9007199254740993n,
      pinned: true,
      meta: { nested: { list: [1, "two", null] } },
      tags: ["a", "b,c", 'd"e'],
      createdAt,
    };
    const [{ id }] = await db.insert(notes).values(written).returning({ id: notes.id });
    const [read] = await db.select().from(notes).where(eq(notes.id, id));
    expect(read).toEqual({ id, ...written });
  });

  test("surfaces a unique violation with Postgres's code and constraint", async () => {
    await sql`insert into notes (body) values ('unique')`;
    await expect(sql`insert into notes (body) values ('unique')`)
      .rejects.toMatchObject({ code: "23505", constraint: "notes_body_unique", table: "notes" });
    // drizzle wraps driver errors: the Postgres fields are on `cause`.
    await expect(db.insert(notes).values({ body: "unique", views: 0n, pinned: false, tags: [], createdAt: new Date() }))
      .rejects.toMatchObject({ cause: { code: "23505" } });
  });

  test("runs a batch as one transaction: a later statement sees an earlier one's rows and transaction id", async () => {
    // How a write reads back the changes its triggers appended (src/worker/db/queries/appended.ts).
    const [written, read] = await sql.transaction([
      sql`insert into notes (body) values ('same transaction') returning pg_current_xact_id()::text as tx`,
      sql`select body, pg_current_xact_id()::text as tx from notes where body = 'same transaction'`,
    ]);
    expect(read).toEqual([{ body: "same transaction", tx: (written as Array<{ tx: string }>)[0]!.tx }]);
  });

  test("commits sql.transaction all-or-nothing", async () => {
    await expect(sql.transaction([
      sql`insert into notes (body) values ('first of a failed pair')`,
      sql`insert into notes (body) values ('first of a failed pair')`,
    ])).rejects.toMatchObject({ code: "23505" });
    expect(await sql`select count(*)::int4 as n from notes where body = 'first of a failed pair'`).toEqual([{ n: 0 }]);

    await sql.transaction([sql`insert into notes (body) values ('pair 1')`, sql`insert into notes (body) values ('pair 2')`]);
    expect(await sql`select body from notes where body like 'pair %' order by body`)
      .toEqual([{ body: "pair 1" }, { body: "pair 2" }]);
  });

  test("applies the batch isolation and read-only options", async () => {
    const [isolation, readOnly] = await sql.transaction(
      [sql`show transaction_isolation`, sql`show transaction_read_only`],
      { isolationLevel: "Serializable", readOnly: true },
    );
    expect(isolation).toEqual([{ transaction_isolation: "serializable" }]);
    expect(readOnly).toEqual([{ transaction_read_only: "on" }]);
    await expect(sql.transaction([sql`insert into notes (body) values ('read only')`], { readOnly: true }))
      .rejects.toMatchObject({ code: "25006" });
  });

  test("rejects several statements in one query, as Neon does", async () => {
    await expect(sql.query("select 1; select 2")).rejects.toMatchObject({ code: "42601" });
  });

  test("counts one request per batch and one statement per query", async () => {
    endpoint.resetStats();
    await sql`select 1`;
    await sql.transaction([sql`select 1`, sql`select 2`, sql`select 3`]);
    await db.batch([db.select().from(notes).limit(1), db.select().from(notes).limit(1)]);
    expect(endpoint.stats()).toEqual({ requests: 3, statements: 6 });
  });

  test("answers GET /health", async () => {
    const response = await fetch(new URL("/health", endpoint.url));
    expect(response.status).toBe(200);
  });
});

describe("Neon HTTP endpoint on PGlite", () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "spaces-pglite-"));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  test("serves one connection, stops promptly and keeps its data", { timeout: 60_000 }, async () => {
    const first = await startPglite({ dataDir });
    await applyMigrations(first.connectionString, fixtureMigrations);
    let endpoint = await startNeonHttpEndpoint({ connectionString: first.connectionString, maxConnections: 1 });
    neonConfig.fetchEndpoint = endpoint.url;
    await sql.transaction([sql`insert into notes (body) values ('kept')`, sql`update notes set views = 2 where body = 'kept'`]);
    expect(await sql`select body, views from notes order by id`)
      .toEqual([{ body: "seeded by a migration", views: "0" }, { body: "kept", views: "2" }]);

    const stopping = performance.now();
    await endpoint.close();
    await first.stop();
    expect(performance.now() - stopping).toBeLessThan(1000);

    const second = await startPglite({ dataDir });
    endpoint = await startNeonHttpEndpoint({ connectionString: second.connectionString, maxConnections: 1 });
    neonConfig.fetchEndpoint = endpoint.url;
    expect(await sql`select count(*)::int4 as n from notes where body = 'kept'`).toEqual([{ n: 1 }]);
    await endpoint.close();
    await second.stop();
  });
});
