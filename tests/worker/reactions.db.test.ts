import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db, guest, space, type Client } from "./client.ts";

/** A fresh message by `author` in a fresh space of its own (optionally private, with members). */
async function message(author: Client, options: Parameters<typeof space>[1] = {}) {
  const room = await space(author, options);
  const { body } = await author.request("POST", `/api/spaces/${room.id}/intentions`, { content: "react to me" });
  return { room, intention: body.intention, path: (emoji: string) => `/api/intentions/${encodeURIComponent(body.intention.id)}/reactions/${encodeURIComponent(emoji)}` };
}

/** The changes recorded of one intention, oldest first. */
async function changesOf(id: string) {
  return db<{ seq: string; op: string; data: any }>(sql`SELECT seq, op, data FROM changes WHERE entity_id = ${id} ORDER BY seq`);
}

describe("reactions", () => {
  it("adds a reaction once per being and emoji: a repeat answers the same message and appends no change", async () => {
    const ada = await guest("Ada");
    const { intention, path } = await message(ada);
    const first = await ada.request("PUT", path("👍"));
    expect(first.status).toBe(200);
    expect(first.body.intention.reactions).toEqual([{ emoji: "👍", by: [ada.id] }]);
    expect(first.body.sync).toHaveLength(1);
    const changes = await changesOf(intention.id);
    expect(changes).toHaveLength(2);
    expect(Number(changes[1]!.seq)).toBe(first.body.seq);
    expect(changes[1]!.data.reactions).toEqual([{ emoji: "👍", by: [ada.id] }]);

    const repeat = await ada.request("PUT", path("👍"));
    expect(repeat.status).toBe(200);
    expect(repeat.body).toEqual({ ...first.body, sync: [] });
    expect(await changesOf(intention.id)).toHaveLength(2);
  });

  it("counts who reacted with each emoji, in the order they did, and takes one back with exactly one change", async () => {
    const ada = await guest("Ada");
    const bob = await guest("Bob");
    const { intention, path } = await message(ada);
    await ada.request("PUT", path("🎉"));
    await bob.request("PUT", path("🎉"));
    const third = await bob.request("PUT", path("👩🏽‍💻"));
    expect(third.body.intention.reactions).toEqual([
      { emoji: "🎉", by: [ada.id, bob.id] },
      { emoji: "👩🏽‍💻", by: [bob.id] },
    ]);
    const off = await ada.request("DELETE", path("🎉"));
    expect(off.status).toBe(200);
    expect(off.body.intention.reactions).toEqual([
      { emoji: "🎉", by: [bob.id] },
      { emoji: "👩🏽‍💻", by: [bob.id] },
    ]);
    expect(await changesOf(intention.id)).toHaveLength(5);
    const again = await ada.request("DELETE", path("🎉"));
    expect(again.status).toBe(200);
    expect(again.body.sync).toEqual([]);
    expect(await changesOf(intention.id)).toHaveLength(5);

    await bob.request("DELETE", path("🎉"));
    const last = await bob.request("DELETE", path("👩🏽‍💻"));
    // Nobody reacts any more: the field is gone, as on a message nobody ever reacted to.
    expect(last.body.intention).not.toHaveProperty("reactions");
    const snapshot = await ada.request("GET", `/api/spaces/${intention.locationId}`);
    expect(snapshot.body.intentions.find((i: any) => i.id === intention.id)).toEqual(last.body.intention);
  });

  it("is not an edit: the message's version, modifiedAt and seq stay, and an editor's ifVersion still matches", async () => {
    const ada = await guest("Ada");
    const bob = await guest("Bob");
    const { intention, path } = await message(ada);
    const [before] = await db<{ seq: string }>(sql`SELECT seq FROM intentions WHERE id = ${intention.id}`);
    const reacted = await bob.request("PUT", path("❤️"));
    expect(reacted.body.intention).toMatchObject({ version: intention.version, modifiedAt: intention.modifiedAt });
    const [after] = await db<{ seq: string }>(sql`SELECT seq FROM intentions WHERE id = ${intention.id}`);
    expect(after!.seq).toBe(before!.seq);

    const edit = await ada.request("PATCH", `/api/intentions/${encodeURIComponent(intention.id)}`, { content: "edited", ifVersion: intention.version });
    expect(edit.status).toBe(200);
    // An edit carries the reactions along: its change replaces the whole row on every screen.
    expect(edit.body.intention.reactions).toEqual([{ emoji: "❤️", by: [bob.id] }]);
  });

  it("records every one of many reactions at once, the last change holding them all", async () => {
    const ada = await guest("Ada");
    const { intention, path } = await message(ada);
    const people = await Promise.all(["B", "C", "D", "E", "F"].map((name) => guest(name)));
    await Promise.all(people.map((person) => person.request("PUT", path("😂"))));
    const changes = await changesOf(intention.id);
    expect(changes).toHaveLength(6);
    expect(new Set(changes.at(-1)!.data.reactions[0].by)).toEqual(new Set(people.map((p) => p.id)));
  });

  it("answers 404 for a private space's message to a non-reader, 401 signed out, and writes nothing", async () => {
    const ada = await guest("Ada");
    const member = await guest("Member");
    const stranger = await guest("Stranger");
    const { intention, path } = await message(ada, { private: true, members: [member.id] });
    const refused = await stranger.request("PUT", path("👍"));
    expect(refused.status).toBe(404);
    expect(refused.body.error.code).toBe("NOT_FOUND");
    expect(JSON.stringify(refused.body)).not.toContain("react to me");
    expect((await stranger.request("DELETE", path("👍"))).status).toBe(404);
    const anonymous = await new (stranger.constructor as new () => Client)().request("PUT", path("👍"));
    expect(anonymous.status).toBe(401);
    expect(await changesOf(intention.id)).toHaveLength(1);
    expect((await member.request("PUT", path("👍"))).status).toBe(200);
  });

  it.each(["a", "1", "👍👍", " 👍", "<img src=x onerror=alert(1)>", "🇫", "x".repeat(80), "%F0%9F"])("refuses %j as a reaction with 400", async (emoji) => {
    const ada = await guest("Ada");
    const { intention, path } = await message(ada);
    const reply = await ada.request("PUT", path(emoji));
    expect(reply.status).toBe(400);
    expect(reply.body.error.code).toBe("VALIDATION");
    expect(await changesOf(intention.id)).toHaveLength(1);
  });

  it.each(["%F0%9F", "%E0%A4%A", "%00", "%F0%9F%91%8D%F0%9F%91%8D"])("refuses the raw path segment %s with 400", async (segment) => {
    const ada = await guest("Ada");
    const { intention } = await message(ada);
    const reply = await ada.request("PUT", `/api/intentions/${encodeURIComponent(intention.id)}/reactions/${segment}`);
    expect(reply.status).toBe(400);
    expect(reply.body.error.code).toBe("VALIDATION");
    expect(await changesOf(intention.id)).toHaveLength(1);
  });

  it.each(["👍🏿", "🇯🇵", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "1️⃣", "👨‍👩‍👧‍👦"])("accepts %s", async (emoji) => {
    const ada = await guest("Ada");
    const { path } = await message(ada);
    const reply = await ada.request("PUT", path(emoji));
    expect(reply.status).toBe(200);
    expect(reply.body.intention.reactions).toEqual([{ emoji, by: [ada.id] }]);
  });

  it("goes with its message: a deleted message's reactions are gone, and its delete is the only change", async () => {
    const ada = await guest("Ada");
    const bob = await guest("Bob");
    const { intention, path } = await message(ada);
    await bob.request("PUT", path("😮"));
    expect((await ada.request("DELETE", `/api/intentions/${encodeURIComponent(intention.id)}`)).status).toBe(204);
    expect(await db(sql`SELECT 1 FROM reactions WHERE intention_id = ${intention.id}`)).toHaveLength(0);
    expect((await changesOf(intention.id)).map((c) => c.op)).toEqual(["upsert", "upsert", "delete"]);
    expect((await bob.request("PUT", path("😮"))).status).toBe(404);
  });

  it("goes with the being who reacted: its reactions are taken back, each a change", async () => {
    const ada = await guest("Ada");
    const bob = await guest("Bob");
    const { intention, path } = await message(ada);
    await bob.request("PUT", path("😢"));
    expect((await bob.request("DELETE", `/api/beings/${bob.id}`)).status).toBe(204);
    const changes = await changesOf(intention.id);
    expect(changes.at(-1)!.data).not.toHaveProperty("reactions");
  });
});
