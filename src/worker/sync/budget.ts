/**
 * The LiveKit server API budget: LiveKit limits a project's server API calls a minute, so every call
 * the worker makes is taken from a bucket in the database first (take_livekit_call: a bucket per
 * project, fair between rooms when it runs low), and a 429 holds every call of the project until its
 * Retry-After has passed (block_livekit_calls). Its settings (Budget) are read in src/worker/settings.ts.
 */
import { sql, type SQL } from "drizzle-orm";
import type { BeingId } from "../../shared/entities.ts";
import { query, type Db } from "../db/client.ts";
import type { Budget } from "../settings.ts";
import { LivekitRateLimited } from "./livekit.ts";

/**
 * The statement that takes one call for `space` ("" for work that is no space's broadcast): 0 when
 * taken, else the seconds to wait. A space's broadcast claim runs it inside its own statement, so the
 * budget costs no extra round trip.
 */
export function takeLivekitCallSql(budget: Budget, space: BeingId | ""): SQL {
  return sql`take_livekit_call(${budget.project}::text, ${space}::text, ${budget.callsPerMinute}::float8)`;
}

/** Takes one call for work that is not a space's broadcast; returns seconds to wait (0: taken). */
export async function takeLivekitCall(db: Db, budget: Budget): Promise<number> {
  const [row] = await query<{ wait: number }>(db, sql`SELECT ${takeLivekitCallSql(budget, "")} AS wait`);
  return Number(row?.wait ?? 0);
}

/** Takes one call, waiting for the bucket while the wait fits in `patienceMs`; false when it would not. */
export async function waitForLivekitCall(db: Db, budget: Budget, patienceMs: number): Promise<boolean> {
  const deadline = Date.now() + patienceMs;
  for (;;) {
    const wait = await takeLivekitCall(db, budget);
    if (wait === 0) return true;
    if (Date.now() + wait * 1000 > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, wait * 1000));
  }
}

/**
 * When `error` is LiveKit's 429, holds every call of the project for its Retry-After and returns those
 * seconds; any other error returns null.
 */
export async function blockOnRateLimit(db: Db, budget: Budget, error: unknown): Promise<number | null> {
  if (!(error instanceof LivekitRateLimited)) return null;
  await query(db, sql`SELECT block_livekit_calls(${budget.project}::text, ${error.retryAfterSeconds}::float8)`);
  return error.retryAfterSeconds;
}
