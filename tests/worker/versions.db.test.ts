// Concurrent edits: every row carries `version` (1 on create, +1 on every update, whoever writes it), and a
// PATCH sent with a stale `ifVersion` writes nothing and answers 409 with the row as it is.
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { BeingId } from "../../src/shared/entities.ts";
import { Client, databaseFingerprint, db, guest, space } from "./client.ts";

const intentionPath = (id: string) => `/api/intentions/${encodeURIComponent(id)}`;

/** Ada's message in a space of her own (private with `members` when given). */
async function message(ada: Client, options: { private?: boolean; members?: BeingId[] } = {}) {
  const room = await space(ada, options);
  const posted = await ada.request("POST", `/api/spaces/${room.id}/intentions`, { content: "first" });
  expect(posted.status).toBe(201);
  return { room, intention: posted.body.intention, path: intentionPath(posted.body.intention.id) };
}

/** The versions the space's change log recorded for `id`, oldest first. */
const loggedVersions = async (id: string) =>
  (await db<{ version: number }>(sql`SELECT (data ->> 'version')::int AS version FROM changes WHERE entity_id = ${id} AND data IS NOT NULL ORDER BY space_id, seq`))
    .map((row) => row.version);

describe("version", () => {
  it("is 1 on an intention's create and grows by one with every edit, in the answer and in the change log", async () => {
    const ada = await guest("Ada");
    const { intention, path } = await message(ada);
    expect(intention.version).toBe(1);
    expect((await ada.request("PATCH", path, { content: "second" })).body.intention.version).toBe(2);
    expect((await ada.request("PATCH", path, { state: "paused" })).body.intention.version).toBe(3);
    expect(await loggedVersions(intention.id)).toEqual([1, 2, 3]);
  });

  it("is 1 on a being's create and grows by one with a rename, a move and a cascade, whatever the writer", async () => {
    const ada = await guest("Ada");
    const room = await space(ada);
    expect(room.version).toBe(1);
    const doc = (await ada.request("POST", "/api/beings", { name: "Notes", type: "document" })).body.being;
    expect(doc.version).toBe(1);
    expect((await ada.request("PATCH", `/api/beings/${doc.id}`, { name: "Notes 2" })).body.being.version).toBe(2);
    expect((await ada.request("PATCH", `/api/beings/${doc.id}`, { locationId: room.id })).body.being.version).toBe(3);
    expect((await ada.request("POST", `/api/spaces/${room.id}/enter`)).body.being.version).toBe(ada.being!.version + 1);
    // Deleting Ada leaves what she owned without an owner: an update like any other.
    expect((await ada.request("DELETE", `/api/beings/${ada.id}`)).status).toBe(204);
    const [orphan] = await db<{ version: number; owner_id: string | null }>(sql`SELECT version, owner_id FROM beings WHERE id = ${doc.id}`);
    expect(orphan).toEqual({ version: 4, owner_id: null });
  });

  it("is the trigger's to set: a statement that writes another value still gets the next one", async () => {
    const ada = await guest("Ada");
    const { intention } = await message(ada);
    await db(sql`UPDATE intentions SET version = 100, content = '["forced"]' WHERE id = ${intention.id}`);
    const [row] = await db<{ version: number }>(sql`SELECT version FROM intentions WHERE id = ${intention.id}`);
    expect(row!.version).toBe(2);
  });
});

describe("ifVersion", () => {
  it("on an intention: a stale one writes nothing and answers 409 with the row as it is; the current one writes", async () => {
    const ada = await guest("Ada");
    const { intention, path } = await message(ada);
    const theirs = await ada.request("PATCH", path, { content: "theirs", ifVersion: 1 });
    expect(theirs.status).toBe(200);
    expect(theirs.body.intention).toMatchObject({ content: ["theirs"], version: 2 });

    const before = await databaseFingerprint();
    const stale = await ada.request("PATCH", path, { content: "yours", ifVersion: 1 });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe("CONFLICT");
    expect(stale.body.error.details).toEqual({ current: theirs.body.intention });
    // Nothing written: not the row, not the space's change log.
    expect(await databaseFingerprint()).toBe(before);
    expect(await loggedVersions(intention.id)).toEqual([1, 2]);

    const overwrite = await ada.request("PATCH", path, { content: "yours", ifVersion: 2 });
    expect(overwrite.status).toBe(200);
    expect(overwrite.body.intention).toMatchObject({ content: ["yours"], version: 3 });
  });

  it("on a being: a stale rename writes nothing and answers 409 with the being as the caller sees it", async () => {
    const ada = await guest("Ada");
    const room = await space(ada);
    const path = `/api/beings/${room.id}`;
    const renamed = await ada.request("PATCH", path, { name: "Theirs", ifVersion: 1 });
    expect(renamed.body.being).toMatchObject({ name: "Theirs", version: 2 });

    const before = await databaseFingerprint();
    const stale = await ada.request("PATCH", path, { name: "Yours", ifVersion: 1 });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatchObject({ code: "CONFLICT", details: { current: renamed.body.being } });
    expect(await databaseFingerprint()).toBe(before);

    const overwrite = await ada.request("PATCH", path, { name: "Yours", ifVersion: 2 });
    expect(overwrite.body.being).toMatchObject({ name: "Yours", version: 3 });
  });

  it("of two writers sent at once with one version, exactly one wins and the other gets the winner's row", async () => {
    const ada = await guest("Ada");
    const { path } = await message(ada);
    const replies = await Promise.all(["one", "two", "three"].map((content) => ada.request("PATCH", path, { content, ifVersion: 1 })));
    const won = replies.filter((reply) => reply.status === 200);
    const lost = replies.filter((reply) => reply.status === 409);
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(2);
    for (const reply of lost) expect(reply.body.error.details).toEqual({ current: won[0]!.body.intention });
  });

  it("is checked after who may write: a stale one from a stranger is 403 or 404, never a 409 that discloses the version", async () => {
    const ada = await guest("Ada");
    const bob = await guest("Bob");
    const open = await message(ada);
    const hidden = await message(ada, { private: true });
    await ada.request("PATCH", open.path, { content: "again" });
    const before = await databaseFingerprint();
    const refusals = [
      [await bob.request("PATCH", open.path, { content: "mine", ifVersion: 1 }), 403],
      [await bob.request("PATCH", hidden.path, { content: "mine", ifVersion: 1 }), 404],
      [await new Client().request("PATCH", open.path, { content: "mine", ifVersion: 1 }), 401],
      [await bob.request("PATCH", `/api/beings/${open.room.id}`, { name: "Mine", ifVersion: 1 }), 403],
      [await bob.request("PATCH", `/api/beings/${hidden.room.id}`, { name: "Mine", ifVersion: 1 }), 404],
      [await ada.request("PATCH", `/api/beings/${open.room.id}`, { ownerId: bob.id, ifVersion: 7 }), 403],
    ] as const;
    for (const [reply, status] of refusals) {
      expect(reply.status).toBe(status);
      expect(reply.body.error.details).toBeUndefined();
    }
    expect(await databaseFingerprint()).toBe(before);
  });

  it.each([0, -1, 1.5, "2", 2 ** 31, 1e308, null])("refuses ifVersion %j with 400, writing nothing", async (ifVersion) => {
    const ada = await guest("Ada");
    const { room, path } = await message(ada);
    const before = await databaseFingerprint();
    for (const reply of [
      await ada.request("PATCH", path, { content: "x", ifVersion }),
      await ada.request("PATCH", `/api/beings/${room.id}`, { name: "X", ifVersion }),
    ]) {
      expect(reply.status).toBe(400);
      expect(reply.body.error.code).toBe("VALIDATION");
    }
    expect(await databaseFingerprint()).toBe(before);
  });

  it("alone is nothing to change", async () => {
    const ada = await guest("Ada");
    const { path } = await message(ada);
    expect((await ada.request("PATCH", path, { ifVersion: 1 })).status).toBe(400);
  });
});
