import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { newIntentionId } from "../../src/shared/ids.ts";
import { SPACE_LIST_LIMIT } from "../../src/worker/db/queries/spaces.ts";
import { Client, db, guest, space } from "./client.ts";

async function say(client: Client, spaceId: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const reply = await client.request("POST", `/api/spaces/${spaceId}/intentions`, { content: `message ${i}` });
    expect(reply.status).toBe(201);
    ids.push(reply.body.intention.id);
  }
  return ids;
}

describe("the space snapshot", () => {
  it("holds the lobby on a fresh database, readable by anyone", async () => {
    const reply = await new Client().request("GET", "/api/spaces/@intraliminal");
    expect(reply.status).toBe(200);
    expect(reply.body.space).toMatchObject({ id: "@intraliminal", type: "space" });
    expect(reply.body.seq).toBeGreaterThanOrEqual(1);
  });

  it("lists beings here (spaces and bots first), the newest 100 intentions ascending, and the latest seq", async () => {
    const ada = await guest("Ada");
    const room = await space(ada);
    await ada.request("POST", `/api/spaces/${room.id}/enter`);
    await ada.request("POST", "/api/beings", { name: "Zeta bot", type: "bot", locationId: room.id });
    const ids = await say(ada, room.id, 103);
    const reply = await ada.request("GET", `/api/spaces/${room.id}`);
    expect(reply.body.beings.map((b: any) => b.type)).toEqual(["bot", "guest"]);
    expect(reply.body.intentions).toHaveLength(100);
    expect(reply.body.intentions.map((i: any) => i.id)).toEqual(ids.slice(3));
    expect(reply.body.hasMore).toBe(true);
    const { last_seq } = (await db<{ last_seq: string }>(sql`SELECT last_seq FROM space_sync WHERE space_id = ${room.id}`))[0]!;
    expect(reply.body.seq).toBe(Number(last_seq));
  });

  it("pages older history before a cursor", async () => {
    const ada = await guest("Ada");
    const room = await space(ada);
    const ids = await say(ada, room.id, 7);
    const page = await ada.request("GET", `/api/spaces/${room.id}/intentions?before=${encodeURIComponent(ids[5]!)}&limit=3`);
    expect(page.status).toBe(200);
    expect(page.body.intentions.map((i: any) => i.id)).toEqual(ids.slice(2, 5));
    expect(page.body.hasMore).toBe(true);
    const last = await ada.request("GET", `/api/spaces/${room.id}/intentions?before=${encodeURIComponent(ids[2]!)}&limit=3`);
    expect(last.body.intentions.map((i: any) => i.id)).toEqual(ids.slice(0, 2));
    expect(last.body.hasMore).toBe(false);
    const unknown = await ada.request("GET", `/api/spaces/${room.id}/intentions?before=${encodeURIComponent(newIntentionId())}`);
    expect(unknown.status).toBe(400);
  });
});

describe("catch-up", () => {
  it("returns every change after a seq, ascending and gap-free, in pages", async () => {
    const ada = await guest("Ada");
    const room = await space(ada);
    await say(ada, room.id, 5);
    const all = await ada.request("GET", `/api/spaces/${room.id}/changes?after=0`);
    expect(all.status).toBe(200);
    const seqs = all.body.changes.map((c: any) => c.seq);
    expect(seqs).toEqual(Array.from({ length: all.body.seq }, (_, i) => i + 1));
    const page = await ada.request("GET", `/api/spaces/${room.id}/changes?after=2&limit=2`);
    expect(page.body.changes.map((c: any) => c.seq)).toEqual([3, 4]);
    expect(page.body.hasMore).toBe(true);
    expect(page.body.changes[0]).toMatchObject({ kind: "intention", op: "upsert", data: { locationId: room.id } });
  });

  it.each(["", "-1", "0x10", "1e1", "+1", " 1", "1.5"])("refuses after=%j instead of guessing a number", async (after) => {
    const reply = await new Client().request("GET", `/api/spaces/@intraliminal/changes?after=${encodeURIComponent(after)}`);
    expect(reply.status).toBe(400);
    expect(reply.body.error.message).toContain("after");
  });

  it("answers GONE for a catch-up point the log does not hold", async () => {
    const ada = await guest("Ada");
    const room = await space(ada);
    const reply = await ada.request("GET", `/api/spaces/${room.id}/changes?after=999`);
    expect(reply.status).toBe(410);
    expect(reply.body.error.code).toBe("GONE");
  });

  it("keeps the per-space seq gap-free under concurrent writers", async () => {
    const room = await space(await guest("Owner"));
    const writers = await Promise.all([guest("A"), guest("B"), guest("C"), guest("D")]);
    await Promise.all(writers.map((w) => say(w, room.id, 5)));
    const { seqs } = (await db<{ seqs: number[] }>(sql`SELECT array_agg(seq::int ORDER BY seq) AS seqs FROM changes WHERE space_id = ${room.id}`))[0]!;
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    expect(seqs.length).toBe(21);
  });
});

describe("entering a space", () => {
  it("moves the caller's being there, and is a no-op when already there", async () => {
    const ada = await guest("Ada");
    const room = await space(ada);
    const first = await ada.request("POST", `/api/spaces/${room.id}/enter`);
    expect(first.status).toBe(200);
    expect(first.body.being.locationId).toBe(room.id);
    const seq = (await ada.request("GET", `/api/spaces/${room.id}`)).body.seq;
    await ada.request("POST", `/api/spaces/${room.id}/enter`);
    expect((await ada.request("GET", `/api/spaces/${room.id}`)).body.seq).toBe(seq);
    expect((await new Client().request("POST", `/api/spaces/${room.id}/enter`)).status).toBe(401);
  });
});

describe("a private space inside a public one", () => {
  it("is neither listed in the public space nor announced in its change log", async () => {
    const owner = await guest("Owner");
    const stranger = await guest("Stranger");
    const lobby = await space(owner);
    const seq = (await stranger.request("GET", `/api/spaces/${lobby.id}`)).body.seq;
    const hidden = await owner.request("POST", "/api/beings", { name: "Secret", type: "space", locationId: lobby.id, properties: { private: true, members: [] } });
    expect(hidden.status).toBe(201);
    const seen = await stranger.request("GET", `/api/spaces/${lobby.id}`);
    expect(seen.body.beings.map((b: any) => b.id)).not.toContain(hidden.body.being.id);
    expect(seen.body.seq).toBe(seq);
    expect((await stranger.request("GET", `/api/spaces/${lobby.id}/changes?after=0`)).body.changes.map((c: any) => c.id)).not.toContain(hidden.body.being.id);
    expect((await owner.request("GET", `/api/spaces/${lobby.id}`)).body.beings.map((b: any) => b.id)).toContain(hidden.body.being.id);
  });
});

describe("listing spaces", () => {
  it("lists the private spaces one may read first, then public ones, never others' private spaces", async () => {
    const owner = await guest("Owner");
    const member = await guest("Member");
    const stranger = await guest("Stranger");
    const shared = await space(owner, { private: true, members: [member.id] });
    const ids = async (client: Client) => (await client.request("GET", "/api/spaces")).body.spaces.map((s: any) => s.id);
    expect((await ids(member))[0]).toBe(shared.id);
    expect(await ids(owner)).toContain(shared.id);
    expect(await ids(stranger)).not.toContain(shared.id);
    expect(await ids(new Client())).toContain("@intraliminal");
  });

  it("always lists the lobby, right after one's private spaces, however many spaces sort before it", async () => {
    await db(sql`INSERT INTO beings (id, name, type)
                 SELECT '@aaa-listing-' || n, 'Aaa ' || n, 'space' FROM generate_series(1, ${SPACE_LIST_LIMIT}) AS n
                 ON CONFLICT (id) DO NOTHING`);
    const member = await guest("Member");
    const shared = await space(await guest("Owner"), { private: true, members: [member.id] });
    const listed = (await member.request("GET", "/api/spaces")).body.spaces.map((s: any) => s.id);
    expect(listed).toHaveLength(SPACE_LIST_LIMIT);
    expect(listed.slice(0, 2)).toEqual([shared.id, "@intraliminal"]);
    expect((await new Client().request("GET", "/api/spaces")).body.spaces[0].id).toBe("@intraliminal");
  });
});
