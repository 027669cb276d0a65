/** Health: whether the database, LiveKit and the sync queue are usable. */
import { sql } from "drizzle-orm";
import { Hono } from "hono";
import { query } from "../db/client.ts";
import type { AppEnv } from "../env.ts";
import { livekitConfig } from "../sync/livekit.ts";

const PROBE_TIMEOUT_MS = 2_000;

async function withTimeout<T>(work: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error("timed out")), PROBE_TIMEOUT_MS)));
  try {
    return await Promise.race([work, timeout]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

async function probe(work: () => Promise<unknown>): Promise<"ok" | "unreachable"> {
  try {
    await withTimeout(work());
    return "ok";
  } catch {
    return "unreachable";
  }
}

export const health = new Hono<AppEnv>().get("/health", async (c) => {
  const config = livekitConfig(c.env);
  const [db, livekit] = await Promise.all([
    probe(() => query(c.var.db, sql`SELECT 1`)),
    // LiveKit's root answers without a server API call, so a health check spends none of the budget.
    config ? probe(() => fetch(`${config.apiUrl}/`).then((response) => response.body?.cancel())) : Promise.resolve("off" as const),
  ]);
  const queue = c.env.SYNC_QUEUE ? ("ok" as const) : ("off" as const);
  return c.json({ ok: db === "ok" && queue === "ok", db, livekit, queue }, 200);
});
