// A bounded change log: confirmed changes past the retention window and superseded versions of a row
// are pruned; catch-up from before what was kept answers 410 GONE, after it is served as before.
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { BeingId } from "../../src/shared/entities.ts";
import { createDb } from "../../src/worker/db/client.ts";
import { pruneChanges } from "../../src/worker/db/queries/sync.ts";
import { env } from "cloudflare:test";
import { db, guest, space } from "./client.ts";

const changeCount = async (room: BeingId) =>
  Number((await db<{ n: string }>(sql`SELECT count(*) AS n FROM changes WHERE space_id = ${room}`))[0]!.n);
const confirmAll = (room: BeingId) => db(sql`UPDATE space_sync SET broadcast_seq = last_seq WHERE space_id = ${room}`);

describe("pruning the change log", () => {
  it("keeps only the latest version of a row that was rewritten many times, once confirmed", async () => {
    const ada = await guest("Ada");
    const room = (await space(ada)).id;
    const posted = (await ada.request("POST", `/api/spaces/${room}/intentions`, { content: "v0" })).body.intention;
    for (let i = 1; i <= 30; i++) expect((await ada.request("PATCH", `/api/intentions${posted.id}`, { content: `v${i}` })).status).toBe(200);
    const before = await changeCount(room);
    await pruneChanges(createDb(env), 86_400);
    expect(await changeCount(room)).toBe(before); // nothing is confirmed yet: nothing goes
    await confirmAll(room);
    await pruneChanges(createDb(env), 86_400);
    const rows = await db<{ entity_id: string }>(sql`SELECT entity_id FROM changes WHERE space_id = ${room} AND entity_id = ${posted.id}`);
    expect(rows).toHaveLength(1);
    // A receiver that catches up from the start still ends with the latest text.
    const caughtUp = (await ada.request("GET", `/api/spaces/${room}/changes?after=0&limit=1000`)).body;
    const last = caughtUp.changes.filter((c: any) => c.id === posted.id).at(-1);
    expect(last.data.content).toEqual(["v30"]);
  });

  it("drops confirmed changes older than the retention window; catch-up from before them is GONE, after them is served", async () => {
    const ada = await guest("Ada");
    const room = (await space(ada)).id;
    for (let i = 0; i < 6; i++) await ada.request("POST", `/api/spaces/${room}/intentions`, { content: `m${i}` });
    await confirmAll(room);
    const { seq } = (await ada.request("GET", `/api/spaces/${room}`)).body;
    await db(sql`UPDATE changes SET at = at - interval '2 hours' WHERE space_id = ${room} AND seq <= ${seq - 2}`);
    await pruneChanges(createDb(env), 3600);
    expect(await changeCount(room)).toBe(2);
    const gone = await ada.request("GET", `/api/spaces/${room}/changes?after=0`);
    expect(gone.status).toBe(410);
    expect(gone.body).toMatchObject({ error: { code: "GONE", details: { seq } } });
    const kept = await ada.request("GET", `/api/spaces/${room}/changes?after=${seq - 2}`);
    expect(kept.status).toBe(200);
    expect(kept.body.changes.map((c: any) => c.seq)).toEqual([seq - 1, seq]);
  });

  it("never prunes what is not yet confirmed, however old", async () => {
    const ada = await guest("Ada");
    const room = (await space(ada)).id;
    await ada.request("POST", `/api/spaces/${room}/intentions`, { content: "pending" });
    await db(sql`UPDATE changes SET at = at - interval '2 days' WHERE space_id = ${room}`);
    const before = await changeCount(room);
    await pruneChanges(createDb(env), 3600);
    expect(await changeCount(room)).toBe(before);
    expect((await ada.request("GET", `/api/spaces/${room}/changes?after=0`)).status).toBe(200);
  });
});
