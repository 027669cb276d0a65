// Mentions and replies are structured nodes in a message's content; the database reads them with the same
// rule as src/shared/content.ts (content_mentions / content_reply_to), into generated columns.
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { mentionedIds, mentionNode, replyNode, replyTarget } from "../../src/shared/content.ts";
import type { BeingId, ContentNode, IntentionId } from "../../src/shared/entities.ts";
import { Client, db, guest, space } from "./client.ts";

const stored = async (id: string) => {
  const [row] = await db<{ mentions: string[]; reply_to: string | null }>(sql`SELECT mentions, reply_to FROM intentions WHERE id = ${id}`);
  return row!;
};

describe("mention and reply nodes", () => {
  it("stores the mentioned ids and the replied-to message as the shared reader finds them", async () => {
    const ada = await guest("Ada");
    const bob = await guest("Bob");
    const room = await space(ada);
    const first = await ada.request("POST", `/api/spaces/${room.id}/intentions`, { content: "hello" });
    const original = first.body.intention.id as IntentionId;
    const content: ContentNode[] = [
      replyNode(original),
      "hi ",
      mentionNode(bob.id as BeingId, "Bob"),
      { type: "strong", content: [mentionNode(ada.id as BeingId, "Ada"), mentionNode(bob.id as BeingId, "Bob")] },
    ];
    const reply = await ada.request("POST", `/api/spaces/${room.id}/intentions`, { content });
    expect(reply.status).toBe(201);
    const row = await stored(reply.body.intention.id);
    expect([...row.mentions].sort()).toEqual([...mentionedIds(content)].sort());
    expect(mentionedIds(content)).toEqual([bob.id, ada.id]);
    expect(row.reply_to).toBe(original);
    expect(replyTarget(content)).toBe(original);
  });

  it("finds none in plain text, and only a top-level reply node counts", async () => {
    const ada = await guest("Ada");
    const room = await space(ada);
    const content: ContentNode[] = ["@Ada said", { type: "quote", content: [replyNode("/nested" as IntentionId)] }];
    const reply = await ada.request("POST", `/api/spaces/${room.id}/intentions`, { content });
    const row = await stored(reply.body.intention.id);
    expect(row.mentions).toEqual([]);
    expect(row.reply_to).toBeNull();
    expect(replyTarget(content)).toBeNull();
    expect(mentionedIds(content)).toEqual([]);
  });

  it("refuses a mention of a malformed being id and a reply to a malformed intention id, in the contract's error shape", async () => {
    const ada = await guest("Ada");
    const room = await space(ada);
    for (const node of [
      { type: "mention", props: { id: "not-a-being" }, content: ["@x"] },
      { type: "mention", content: ["@x"] },
      { type: "strong", content: [{ type: "mention", props: { id: 42 }, content: ["@x"] }] },
      { type: "reply", props: { to: "@not-an-intention" } },
      { type: "reply", props: { to: "/has spaces" } },
    ]) {
      const reply = await ada.request("POST", `/api/spaces/${room.id}/intentions`, { content: ["hi ", node] });
      expect(reply.status, JSON.stringify(node)).toBe(400);
      expect(reply.body.error).toMatchObject({ code: "VALIDATION", message: expect.any(String) });
    }
    const first = await ada.request("POST", `/api/spaces/${room.id}/intentions`, { content: "hello" });
    const edit = await ada.request("PATCH", `/api/intentions/${encodeURIComponent(first.body.intention.id)}`, { content: [{ type: "reply", props: { to: "nowhere" } }] });
    expect(edit.status).toBe(400);
    expect(edit.body.error.code).toBe("VALIDATION");
  });
});

describe("one message by id (what a reply's quote reads when the original is not loaded)", () => {
  const read = (client: Client, id: string) => client.request("GET", `/api/intentions/${encodeURIComponent(id)}`);

  it("is answered to whoever may read its space; a deleted one is 404", async () => {
    const [ada, bob] = [await guest("Ada"), await guest("Bob")];
    const room = await space(ada);
    const first = await ada.request("POST", `/api/spaces/${room.id}/intentions`, { content: "the original" });
    const found = await read(bob, first.body.intention.id);
    expect(found.status).toBe(200);
    expect(found.body.intention).toMatchObject({ id: first.body.intention.id, ownerId: ada.id, content: ["the original"] });
    expect((await ada.request("DELETE", `/api/intentions/${encodeURIComponent(first.body.intention.id)}`)).status).toBe(204);
    expect((await read(new Client(), first.body.intention.id)).status).toBe(401);
    const gone = await read(bob, first.body.intention.id);
    expect(gone.status).toBe(404);
    expect(gone.body.error.code).toBe("NOT_FOUND");
  });

  it("discloses nothing of a private space: the same 404 as a message that never existed, and a reply to it posts but reveals nothing", async () => {
    const [ada, eve] = [await guest("Ada"), await guest("Eve")];
    const secret = await space(ada, { private: true });
    const hidden = await ada.request("POST", `/api/spaces/${secret.id}/intentions`, { content: "private pelican" });
    const refused = await read(eve, hidden.body.intention.id);
    const never = await read(eve, "/never-existed");
    expect(refused.status).toBe(404);
    expect(refused.body).toEqual(never.body);
    expect(JSON.stringify(refused.body)).not.toContain("pelican");

    const room = await space(eve);
    const reply = await eve.request("POST", `/api/spaces/${room.id}/intentions`, { content: [replyNode(hidden.body.intention.id), "what was it?"] });
    expect(reply.status).toBe(201);
    const seen = JSON.stringify([reply.body, (await eve.request("GET", `/api/spaces/${room.id}`)).body]);
    expect(seen).not.toContain("pelican");
    expect(seen).not.toContain(ada.id);
  });
});
