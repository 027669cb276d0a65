import { env } from "cloudflare:test";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { BeingId } from "../../src/shared/entities.ts";
import type { ReceiverMinute } from "../../src/shared/responses.ts";
import { createDb } from "../../src/worker/db/client.ts";
import { forgetHealthMinutes, lagBucket } from "../../src/worker/db/queries/health.ts";
import { clearOfMinuteEnd, Client, db, guest, space, superuser } from "./client.ts";

/** A receiver's report as the web app sends it: `counts` and `lag` vary by test. */
function report(spaceId: BeingId, overrides: Record<string, unknown> = {}) {
  return {
    space: spaceId,
    counts: { applied: 8, relayed: 6, duplicates: 1, "rejected.bad-signature": 3, gaps: 1, catchUps: 1, polls: 0, reconnects: 1 },
    lag: { p50: 120, p99: 900, samples: 40 },
    clockOffsetMs: -35,
    ...overrides,
  };
}

/** The space's row for the current minute. */
async function minuteOf(spaceId: BeingId) {
  const [row] = await db<{ reports: number; counts: Record<string, number>; lag_p50: Record<string, number>; lag_p99: Record<string, number> }>(
    sql`SELECT reports, counts, lag_p50, lag_p99 FROM sync_health_minutes WHERE space_id = ${spaceId} AND minute = date_trunc('minute', now())`,
  );
  return row;
}

describe("POST /api/sync/health", () => {
  it("sums the reports of a minute per space", async () => {
    const [ada, bob] = [await guest("Ada"), await guest("Bob")];
    const room = await space(ada);
    await clearOfMinuteEnd();
    expect((await ada.request("POST", "/api/sync/health", report(room.id))).status).toBe(204);
    const second = report(room.id, { counts: { applied: 4, relayed: 4, "rejected.unknown-kid": 2, custom: 7 }, lag: { p50: 125, p99: 4_000, samples: 10 } });
    expect((await bob.request("POST", "/api/sync/health", second)).status).toBe(204);

    const row = await minuteOf(room.id);
    expect(row?.reports).toBe(2);
    expect(row?.counts).toMatchObject({ applied: 12, relayed: 10, "rejected.bad-signature": 3, "rejected.unknown-kid": 2, custom: 7 });
    // 120 and 125 ms share a bucket: the histogram holds both reports there.
    expect(row?.lag_p50).toEqual({ [lagBucket(120)]: 2 });
    expect(row?.lag_p99).toEqual({ [lagBucket(900)]: 1, [lagBucket(4_000)]: 1 });
  });

  it("adds a report that measured no lag to no histogram", async () => {
    const ada = await guest();
    const room = await space(ada);
    await clearOfMinuteEnd();
    expect((await ada.request("POST", "/api/sync/health", report(room.id, { lag: { p50: 0, p99: 0, samples: 0 } }))).status).toBe(204);
    const row = await minuteOf(room.id);
    expect(row).toMatchObject({ reports: 1, lag_p50: {}, lag_p99: {} });
  });

  it("stores no identity: no session, being or address in the table's columns or rows", async () => {
    const ada = await guest();
    const room = await space(ada);
    expect((await ada.request("POST", "/api/sync/health", report(room.id))).status).toBe(204);
    const columns = await db<{ column_name: string }>(
      sql`SELECT column_name FROM information_schema.columns WHERE table_name = 'sync_health_minutes' ORDER BY ordinal_position`,
    );
    expect(columns.map((c) => c.column_name)).toEqual(["space_id", "minute", "reports", "counts", "lag_p50", "lag_p99"]);
    const [session] = await db<{ id: string }>(sql`SELECT id FROM sessions WHERE being_id = ${ada.id}`);
    const rows = JSON.stringify(await db(sql`SELECT * FROM sync_health_minutes WHERE space_id = ${room.id}`));
    for (const identity of [ada.id, session!.id, ada.address]) expect(rows).not.toContain(identity);
  });

  it("refuses a session's fifth report in a space within a minute (429), and takes it in another space", async () => {
    const ada = await guest();
    const [room, other] = [await space(ada), await space(ada)];
    for (let i = 0; i < 4; i++) expect((await ada.request("POST", "/api/sync/health", report(room.id))).status).toBe(204);
    const refused = await ada.request("POST", "/api/sync/health", report(room.id));
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe("RATE_LIMITED");
    expect((await ada.request("POST", "/api/sync/health", report(other.id))).status).toBe(204);
    // Another session in the same space has its own allowance.
    expect((await (await guest("Bob")).request("POST", "/api/sync/health", report(room.id))).status).toBe(204);
  });

  it("validates the body (400) and writes nothing for a refused one", async () => {
    const ada = await guest();
    const room = await space(ada);
    const tooMany = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`count_${i}`, 1]));
    const bodies = [
      report(room.id, { counts: { rejected: -1 } }),
      report(room.id, { counts: tooMany }),
      report(room.id, { counts: { rejected: 1e7 } }),
      report(room.id, { counts: { rejected: 1.5 } }),
      report(room.id, { counts: { "not a name": 1 } }),
      report(room.id, { lag: { p50: 1e12, p99: 1e12, samples: 1 } }),
      report(room.id, { lag: { p50: -1, p99: 10, samples: 1 } }),
      report(room.id, { clockOffsetMs: 1e11 }),
      report(room.id, { who: ada.id }),
      report("not a space" as BeingId),
      "{not json",
    ];
    for (const body of bodies) expect((await ada.request("POST", "/api/sync/health", body)).status, JSON.stringify(body)).toBe(400);
    expect(await minuteOf(room.id)).toBeUndefined();
  });

  it("answers 404 for an unknown space or another's private one, and 401 signed out", async () => {
    const [ada, bob] = [await guest("Ada"), await guest("Bob")];
    const secret = await space(ada, { private: true });
    expect((await bob.request("POST", "/api/sync/health", report("@no-such-space" as BeingId))).status).toBe(404);
    expect((await bob.request("POST", "/api/sync/health", report(secret.id))).status).toBe(404);
    expect((await bob.request("POST", "/api/sync/health", report(bob.id))).status).toBe(404);
    expect((await new Client().request("POST", "/api/sync/health", report(secret.id))).status).toBe(401);
    expect(await minuteOf(secret.id)).toBeUndefined();
    expect((await ada.request("POST", "/api/sync/health", report(secret.id))).status).toBe(204);
  });

  it("is forgotten after a day", async () => {
    const ada = await guest();
    const room = await space(ada);
    await db(sql`INSERT INTO sync_health_minutes (space_id, minute, reports) VALUES
      (${room.id}, date_trunc('minute', now()) - interval '25 hours', 1), (${room.id}, date_trunc('minute', now()) - interval '23 hours', 1)`);
    await forgetHealthMinutes(createDb(env));
    const left = await db<{ hours: number }>(sql`SELECT round(extract(epoch FROM now() - minute) / 3600)::int AS hours FROM sync_health_minutes WHERE space_id = ${room.id}`);
    expect(left.map((row) => row.hours)).toEqual([23]);
  });
});

describe("GET /api/admin/stats: the receivers' side", () => {
  it("sums every space's reports per minute: relayed share, rejected, catch-ups and lag as receivers saw it", async () => {
    const root = await superuser();
    const [ada, bob] = [await guest("Ada"), await guest("Bob")];
    const [one, two] = [await space(ada), await space(bob)];
    await clearOfMinuteEnd();
    const before = await receiversNow(root);
    expect((await ada.request("POST", "/api/sync/health", report(one.id))).status).toBe(204);
    expect((await bob.request("POST", "/api/sync/health", report(two.id, { lag: { p50: 2_000, p99: 9_000, samples: 5 } }))).status).toBe(204);

    const now = await receiversNow(root);
    expect(now.reports - (before?.reports ?? 0)).toBe(2);
    expect(now.relayed - (before?.relayed ?? 0)).toBe(12);
    expect(now.applied - (before?.applied ?? 0)).toBe(16);
    expect(now.rejected - (before?.rejected ?? 0)).toBe(6);
    expect(now.catchUps - (before?.catchUps ?? 0)).toBe(2);
    expect(now.gaps - (before?.gaps ?? 0)).toBe(2);
    expect(now.reconnects - (before?.reconnects ?? 0)).toBe(2);
    expect(now.duplicates - (before?.duplicates ?? 0)).toBe(2);
  });

  it("reads the lag back from the reports' histograms: the median of their p50, the 99th percentile of their p99", async () => {
    const root = await superuser();
    const [ada, bob] = [await guest("Ada"), await guest("Bob")];
    const [one, two] = [await space(ada), await space(bob)];
    // A minute no report reaches: only this test writes it.
    await db(sql`INSERT INTO sync_health_minutes (space_id, minute, reports, counts, lag_p50, lag_p99) VALUES
      (${one.id}, date_trunc('minute', now()) - interval '7 minutes', 3, '{"applied": 4, "relayed": 3, "applied.own": 5, "rejected": 1, "rejected.another-space": 2}',
        ${JSON.stringify({ [lagBucket(100)]: 2, [lagBucket(300)]: 1 })}, ${JSON.stringify({ [lagBucket(400)]: 3 })}),
      (${two.id}, date_trunc('minute', now()) - interval '7 minutes', 1, '{"applied": 4}',
        '{}', ${JSON.stringify({ [lagBucket(8_000)]: 1 })})`);
    const reply = await root.request<{ at: string; receivers: Array<ReceiverMinute & { minute: string }> }>("GET", "/api/admin/stats");
    const minute = Math.floor(Date.parse(reply.body.at) / 60_000) * 60_000 - 7 * 60_000;
    const figures = reply.body.receivers.find((m) => Date.parse(m.minute) === minute);
    // A page's own batches (applied.own) are no batches received: the share is of the 8 that came through the room.
    expect(figures).toMatchObject({ reports: 4, applied: 8, relayed: 3, relayedShare: 3 / 8, rejected: 3, lagP50Ms: lagBucket(100), lagP99Ms: lagBucket(8_000) });
  });
});

/** The current minute's receivers' figures from GET /api/admin/stats, if any report came in it. */
async function receiversNow(root: Client): Promise<ReceiverMinute> {
  const reply = await root.request<{ at: string; receivers: Array<ReceiverMinute & { minute: string }> }>("GET", "/api/admin/stats");
  expect(reply.status).toBe(200);
  const minute = Math.floor(Date.parse(reply.body.at) / 60_000) * 60_000;
  return reply.body.receivers.find((m) => Date.parse(m.minute) === minute) as unknown as ReceiverMinute;
}
