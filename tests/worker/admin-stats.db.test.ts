import { env } from "cloudflare:test";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { SyncStats } from "../../src/shared/responses.ts";
import { createDb } from "../../src/worker/db/client.ts";
import { addCounters } from "../../src/worker/db/queries/sync.ts";
import { clearOfMinuteEnd, db, superuser } from "./client.ts";

/** SyncStats as JSON carries it. */
type SyncStatsJson = Omit<SyncStats, "at" | "minutes"> & { at: string; minutes: Array<{ minute: string; counters: SyncStats["counters"] }> };

const MINUTE = 60_000;

describe("GET /api/admin/stats", () => {
  it("answers the last hour by minute, ending at the database's clock, with this minute's calls", async () => {
    const root = await superuser();
    await clearOfMinuteEnd();
    await db(sql`INSERT INTO sync_minutes (minute, counters) VALUES
      (date_trunc('minute', now()) - interval '59 minutes', '{"batches": 4}'),
      (date_trunc('minute', now()) - interval '2 hours', '{"batches": 9}')
      ON CONFLICT (minute) DO NOTHING`);
    await addCounters(createDb(env), { calls: 3 });

    const reply = await root.request<SyncStatsJson>("GET", "/api/admin/stats");
    expect(reply.status).toBe(200);
    const stats = reply.body;
    const at = Date.parse(stats.at);
    expect(Math.abs(at - Date.now())).toBeLessThan(MINUTE);
    const minutes = stats.minutes.map((m) => Date.parse(m.minute));
    expect(minutes.at(-1)).toBe(Math.floor(at / MINUTE) * MINUTE);
    expect(minutes[0]).toBe(Math.floor(at / MINUTE) * MINUTE - 59 * MINUTE);
    expect(stats.budget.callsThisMinute).toBe(stats.minutes.at(-1)!.counters.calls);
    expect(stats.budget.callsThisMinute).toBeGreaterThanOrEqual(3);
    expect(stats.budget.callsPerMinute).toBe(900);
  });

});
