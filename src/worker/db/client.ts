/** Database access over Neon's HTTP mode: every query is one HTTPS round trip, no connection to set up. */
import { neon, neonConfig } from "@neondatabase/serverless";
import { drizzle, type NeonHttpDatabase } from "drizzle-orm/neon-http";
import type { SQL } from "drizzle-orm";
import { causes } from "../log.ts";
import { fetchWithinBounds } from "./bounded-fetch.ts";

export type Db = NeonHttpDatabase;

/** A database client for one request (a client kept at module scope hangs workerd). */
export function createDb(env: Pick<Env, "DATABASE_URL" | "NEON_HTTP_ENDPOINT">): Db {
  // Locally, a small Node endpoint (scripts/local/neon-http-endpoint.ts) answers Neon's /sql protocol.
  if (env.NEON_HTTP_ENDPOINT) neonConfig.fetchEndpoint = env.NEON_HTTP_ENDPOINT;
  neonConfig.fetchFunction = fetchWithinBounds;
  return drizzle({ client: neon(env.DATABASE_URL) });
}

/** Runs one statement and returns its rows. */
export async function query<Row>(db: Db, statement: SQL): Promise<Row[]> {
  const result = await db.execute(statement);
  return result.rows as Row[];
}

/** Runs a statement that always yields one row (a SELECT of one-row CTEs, with no FROM that may be empty) and returns it. */
export async function queryOne<Row>(db: Db, statement: SQL): Promise<Row> {
  const [row] = await query<Row>(db, statement);
  if (row === undefined) throw new Error("a statement that always yields one row returned none");
  return row;
}

/** Whether a database error is a unique violation (SQLSTATE 23505), possibly wrapped by drizzle. */
export function isUniqueViolation(error: unknown): boolean {
  return sqlState(error) === "23505";
}

/** The SQLSTATE of a database error, looking through drizzle's wrapper; undefined for other errors. */
export function sqlState(error: unknown): string | undefined {
  for (const e of causes(error)) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

