import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db, guest, space, superuser } from "./client.ts";

describe("beings", () => {
  it("creates a being owned by the caller, whatever the body says", async () => {
    const ada = await guest("Ada");
    const reply = await ada.request("POST", "/api/beings", { name: "Helper", type: "bot", locationId: "@intraliminal", properties: { model: "x" } });
    expect(reply.status).toBe(201);
    expect(reply.body.being).toMatchObject({ name: "Helper", type: "bot", ownerId: ada.id, locationId: "@intraliminal", properties: { model: "x" } });
    const refused = await ada.request("POST", "/api/beings", { name: "Mine", type: "bot", ownerId: "@someone" });
    expect(refused.status).toBe(400);
  });

  it("refuses guests, taken ids, unknown locations and self-made superusers", async () => {
    const ada = await guest("Ada");
    expect((await ada.request("POST", "/api/beings", { name: "G", type: "guest" })).status).toBe(400);
    const taken = await ada.request("POST", "/api/beings", { id: "@intraliminal", name: "Mine", type: "space" });
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe("CONFLICT");
    expect((await ada.request("POST", "/api/beings", { name: "B", type: "bot", locationId: "@nowhere-at-all" })).status).toBe(404);
    const sneaky = await ada.request("POST", "/api/beings", { name: "B", type: "bot", properties: { superuser: true } });
    expect(sneaky.status).toBe(403);
    const { n } = (await db<{ n: number }>(sql`SELECT count(*)::int AS n FROM beings WHERE owner_id = ${ada.id} AND id <> ${ada.id}`))[0]!;
    expect(n).toBe(0);
  });

  it("lets the owner rename, move, edit and delete; strangers get 403", async () => {
    const ada = await guest("Ada");
    const bob = await guest("Bob");
    const room = await space(ada);
    const renamed = await ada.request("PATCH", `/api/beings/${ada.id}`, { name: "Ada L." });
    expect(renamed.status).toBe(200);
    expect(renamed.body.being.name).toBe("Ada L.");
    expect((await ada.request("PATCH", `/api/beings/${ada.id}`, { locationId: room.id })).body.being.locationId).toBe(room.id);
    expect((await bob.request("PATCH", `/api/beings/${ada.id}`, { name: "Hacked" })).status).toBe(403);
    expect((await bob.request("DELETE", `/api/beings/${room.id}`)).status).toBe(403);
    expect((await ada.request("DELETE", `/api/beings/${room.id}`)).status).toBe(204);
    expect((await ada.request("GET", `/api/beings/${room.id}`)).status).toBe(404);
  });

  it("says whether a being is a superuser, by its properties or by SUPERUSER_IDS, to whoever may see it", async () => {
    const ada = await guest("Ada");
    const root = await superuser();
    await db(sql`INSERT INTO beings (id, name, type, owner_id) VALUES ('@root', 'Root', 'guest', '@root') ON CONFLICT (id) DO NOTHING`);
    const read = async (id: string) => (await ada.request("GET", `/api/beings/${id}`)).body;
    expect(await read(ada.id)).toMatchObject({ being: { id: ada.id }, superuser: false });
    expect(await read(root.id)).toMatchObject({ being: { id: root.id }, superuser: true });
    expect((await read("@root")).superuser).toBe(true);
  });

  it("keeps properties.superuser out of a non-superuser's reach when they replace properties", async () => {
    const ada = await guest("Ada");
    await db(sql`UPDATE beings SET properties = '{"superuser": false}' WHERE id = ${ada.id}`);
    const reply = await ada.request("PATCH", `/api/beings/${ada.id}`, { properties: { theme: "dark" } });
    expect(reply.status).toBe(200);
    expect(reply.body.being.properties).toEqual({ theme: "dark", superuser: false });
    expect((await ada.request("PATCH", `/api/beings/${ada.id}`, { properties: { superuser: true } })).status).toBe(403);
  });

  it("moving a being records one change in the space it left and one in the space it entered", async () => {
    const ada = await guest("Ada");
    const first = await space(ada);
    const second = await space(ada);
    await ada.request("POST", `/api/spaces/${first.id}/enter`);
    await ada.request("POST", `/api/spaces/${second.id}/enter`);
    const rows = await db<{ space_id: string; seq: string; op: string }>(
      sql`SELECT space_id, seq, op FROM changes WHERE entity_id = ${ada.id} AND space_id IN (${first.id}, ${second.id}) ORDER BY space_id, seq`,
    );
    expect(rows.filter((r) => r.space_id === first.id)).toHaveLength(2);
    expect(rows.filter((r) => r.space_id === second.id)).toHaveLength(1);
  });

  it("deleting a being deletes what it said and records those deletions where they were", async () => {
    const ada = await guest("Ada");
    const room = await space(ada);
    await ada.request("POST", `/api/spaces/${room.id}/intentions`, { content: "hello" });
    const bob = await guest("Bob");
    await bob.request("POST", `/api/spaces/${room.id}/intentions`, { content: "hi ada" });
    expect((await bob.request("DELETE", `/api/beings/${bob.id}`)).status).toBe(204);
    const snapshot = await ada.request("GET", `/api/spaces/${room.id}`);
    expect(snapshot.body.intentions.map((i: any) => i.ownerId)).toEqual([ada.id]);
    const changes = await ada.request("GET", `/api/spaces/${room.id}/changes?after=0`);
    expect(changes.body.changes.at(-1)).toMatchObject({ kind: "intention", op: "delete" });
  });
});
