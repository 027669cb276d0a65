// The inbox (issue 20): the database writes a notification with the write that causes it (a mention, a reply, a
// bot's finished reply), never to the author or to someone who may not read the space, and the inbox shows
// only what its being may read now.
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { mentionNode, replyNode } from "../../src/shared/content.ts";
import type { BeingId, ContentNode, IntentionId } from "../../src/shared/entities.ts";
import { newBeingId, newIntentionId } from "../../src/shared/ids.ts";
import { Client, db, guest, space } from "./client.ts";

const post = async (author: Client, room: string, content: ContentNode[] | string): Promise<IntentionId> => {
  const reply = await author.request("POST", `/api/spaces/${room}/intentions`, { content });
  expect(reply.status).toBe(201);
  return reply.body.intention.id;
};

const inbox = async (client: Client, query = "") => {
  const reply = await client.request("GET", `/api/notifications${query}`);
  expect(reply.status).toBe(200);
  return reply.body as { notifications: { id: number; kind: string; intention: string; read: boolean; space: { id: string; name: string }; author: { id: string; name: string | null }; snippet: string }[]; unread: number; next: number | null };
};

const mention = (who: Client) => mentionNode(who.id as BeingId, who.being!.name);

describe("notifications", () => {
  it("notifies a mention and a reply, with where, who and what, never the author", async () => {
    const ada = await guest("Ada");
    const bob = await guest("Bob");
    const room = await space(ada);
    const first = await post(bob, room.id, "Bob's question");
    const answer = await post(ada, room.id, [replyNode(first), "hi ", mention(bob), " and ", mention(ada)]);

    const bobs = await inbox(bob);
    expect(bobs.unread).toBe(2);
    expect(bobs.notifications.map((n) => n.kind).sort()).toEqual(["mention", "reply"]);
    for (const n of bobs.notifications) {
      expect(n).toMatchObject({ intention: answer, read: false, space: { id: room.id, name: room.name }, author: { id: ada.id, name: "Ada" } });
      expect(n.snippet).toBe("hi @Bob and @Ada");
    }
    expect((await inbox(ada)).notifications).toEqual([]);
  });

  it("notifies a reply only in the original's space: a reply node naming a message elsewhere tells its author nothing", async () => {
    const ada = await guest("Ada");
    const bob = await guest("Bob");
    const secret = await space(bob, { private: true });
    const hidden = await post(bob, secret.id, "in the private space");
    const lobbyish = await space(ada);
    await post(ada, lobbyish.id, [replyNode(hidden), "I know your message's id"]);
    expect((await inbox(bob)).notifications).toEqual([]);
  });

  it("notifies once per being, message and kind: an edit adding a mention notifies only the newcomer", async () => {
    const ada = await guest("Ada");
    const bob = await guest("Bob");
    const cy = await guest("Cy");
    const room = await space(ada);
    const id = await post(ada, room.id, ["hey ", mention(bob)]);
    const edit = await ada.request("PATCH", `/api/intentions/${encodeURIComponent(id)}`, { content: ["hey ", mention(bob), " ", mention(cy)] });
    expect(edit.status).toBe(200);
    expect((await inbox(bob)).notifications).toHaveLength(1);
    expect((await inbox(cy)).notifications.map((n) => n.kind)).toEqual(["mention"]);
  });

  it("notifies whom a bot answers when the reply is complete, not while it streams", async () => {
    const ada = await guest("Ada");
    const room = await space(ada);
    const bot = newBeingId("bot");
    await db(sql`INSERT INTO beings (id, name, type, owner_id, location_id) VALUES (${bot}, 'Helper', 'bot', ${ada.id}, ${room.id})`);
    const reply = newIntentionId();
    await db(sql`INSERT INTO intentions (id, owner_id, location_id, content, state, asker_id) VALUES (${reply}, ${bot}, ${room.id}, '["thinking"]', 'active', ${ada.id})`);
    await db(sql`UPDATE intentions SET content = '["thinking harder"]' WHERE id = ${reply}`);
    expect((await inbox(ada)).unread).toBe(0);
    await db(sql`UPDATE intentions SET content = '["the answer"]', state = 'complete' WHERE id = ${reply}`);
    const adas = await inbox(ada);
    expect(adas.notifications).toMatchObject([{ kind: "bot_reply", intention: reply, author: { id: bot, name: "Helper" }, snippet: "the answer" }]);
  });

  it("never notifies someone who may not read the space, and a removed member sees nothing of it", async () => {
    const ada = await guest("Ada");
    const bob = await guest("Bob");
    const eve = await guest("Eve");
    const room = await space(ada, { private: true, members: [bob.id] });
    await post(ada, room.id, ["secret for ", mention(bob), " and ", mention(eve)]);
    const [written] = await db<{ n: number }>(sql`SELECT count(*)::int AS n FROM notifications WHERE being_id = ${eve.id}`);
    expect(written!.n).toBe(0);
    expect((await inbox(bob)).unread).toBe(1);

    await db(sql`UPDATE beings SET properties = '{"private": true, "members": []}' WHERE id = ${room.id}`);
    const after = await inbox(bob);
    expect(after).toEqual({ notifications: [], unread: 0, next: null });
    expect(JSON.stringify(after)).not.toContain("secret");
  });

  it("pages newest first and marks some or all read", async () => {
    const ada = await guest("Ada");
    const bob = await guest("Bob");
    const room = await space(ada);
    const ids: IntentionId[] = [];
    for (let i = 0; i < 5; i++) ids.push(await post(ada, room.id, [`message ${i} `, mention(bob)]));
    const first = await inbox(bob, "?limit=2");
    expect(first.notifications.map((n) => n.intention)).toEqual([ids[4], ids[3]]);
    expect(first.unread).toBe(5);
    const second = await inbox(bob, `?limit=2&before=${first.next}`);
    expect(second.notifications.map((n) => n.intention)).toEqual([ids[2], ids[1]]);
    const last = await inbox(bob, `?limit=2&before=${second.next}`);
    expect(last.notifications.map((n) => n.intention)).toEqual([ids[0]]);
    expect(last.next).toBeNull();

    const some = await bob.request("POST", "/api/notifications/read", { ids: [first.notifications[0]!.id] });
    expect(some.body).toEqual({ unread: 4 });
    // Someone else's ids mark nothing of theirs.
    expect((await ada.request("POST", "/api/notifications/read", { ids: [second.notifications[0]!.id] })).body).toEqual({ unread: 0 });
    expect((await inbox(bob)).unread).toBe(4);
    expect((await bob.request("POST", "/api/notifications/read", {})).body).toEqual({ unread: 0 });
    expect((await inbox(bob)).notifications.every((n) => n.read)).toBe(true);
  });

  it("answers 401 without a session and refuses malformed input", async () => {
    const ada = await guest("Ada");
    expect((await new Client().request("GET", "/api/notifications")).status).toBe(401);
    expect((await ada.request("GET", "/api/notifications?before=abc")).status).toBe(400);
    expect((await ada.request("POST", "/api/notifications/read", { ids: [] })).status).toBe(400);
  });
});
