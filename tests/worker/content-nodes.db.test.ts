// Mentions and replies are structured nodes in a message's content; the database reads them with the same
// rule as src/shared/content.ts (content_mentions / content_reply_to), into generated columns.
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { mentionedIds, mentionNode, replyNode, replyTarget } from "../../src/shared/content.ts";
import type { BeingId, ContentNode, IntentionId } from "../../src/shared/entities.ts";
import { db, guest, space } from "./client.ts";

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
      { type: "mention", props: { id: "not-a-being" }, content: ["@x"] },
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
});
