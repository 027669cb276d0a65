import { describe, expect, it } from "vitest";
import type { BeingId } from "../../src/shared/entities.ts";
import { buildConversation, IMAGE_TOKENS, messageTokens } from "../../src/worker/bots/conversation.ts";
import { mentions, replyIdOf, turnsFor } from "../../src/worker/bots/who-answers.ts";

const bot = { id: "@sage-1" as BeingId, name: "Sage", prompt: "Be wise." };
const ada = "@ada" as BeingId;

describe("buildConversation", () => {
  it("sends the prompt, then the history oldest first: the bot's own replies as assistant turns, others by name", () => {
    const messages = buildConversation(bot, [
      { ownerId: ada, ownerName: "Ada", text: "hi" },
      { ownerId: bot.id, ownerName: "Sage", text: "hello" },
      { ownerId: ada, ownerName: "Ada", text: "how are you?" },
    ], 1000);
    expect(messages[0]!.role).toBe("system");
    expect(messages[0]!.content).toMatch(/^Be wise\./);
    expect(messages.slice(1)).toEqual([
      { role: "user", content: "Ada: hi" },
      { role: "assistant", content: "hello" },
      { role: "user", content: "Ada: how are you?" },
    ]);
  });

  it("keeps the newest messages that fit the token budget, and always the post answered (cut if it must be)", () => {
    const history = Array.from({ length: 50 }, (_, i) => ({ ownerId: ada, ownerName: "Ada", text: `message ${i} ${"x".repeat(100)}` }));
    const messages = buildConversation(bot, history, 200);
    const total = messages.reduce((sum, m) => sum + messageTokens(m.content), 0);
    expect(total).toBeLessThanOrEqual(200);
    expect(messages.at(-1)!.content).toContain("message 49");
    expect(messages.length).toBeLessThan(10);
    const huge = buildConversation(bot, [{ ownerId: ada, ownerName: "Ada", text: "y".repeat(10_000) }], 200);
    expect(huge).toHaveLength(2);
    expect(messageTokens(huge[0]!.content) + messageTokens(huge[1]!.content)).toBeLessThanOrEqual(200);
  });
});

describe("buildConversation with pictures", () => {
  const picture = "data:image/png;base64,iVBORw0KGgo=";

  it("sends a message's pictures as image_url parts after its text, and never the bot's own", () => {
    const messages = buildConversation(bot, [
      { ownerId: ada, ownerName: "Ada", text: "look", images: [picture] },
      { ownerId: bot.id, ownerName: "Sage", text: "nice", images: [picture] },
      { ownerId: ada, ownerName: "Ada", text: "", images: [picture, picture] },
    ], 10_000);
    expect(messages.slice(1)).toEqual([
      { role: "user", content: [{ type: "text", text: "Ada: look" }, { type: "image_url", image_url: { url: picture } }] },
      { role: "assistant", content: "nice" },
      { role: "user", content: [{ type: "text", text: "Ada: " }, { type: "image_url", image_url: { url: picture } }, { type: "image_url", image_url: { url: picture } }] },
    ]);
  });

  it("counts each picture in the budget: the post answered keeps its text and as many pictures as fit", () => {
    const history = [
      { ownerId: ada, ownerName: "Ada", text: "older", images: [picture] },
      { ownerId: ada, ownerName: "Ada", text: "these", images: [picture, picture, picture] },
    ];
    const messages = buildConversation(bot, history, 2 * IMAGE_TOKENS + 60);
    expect(messages).toHaveLength(2);
    const post = messages[1]!.content;
    expect(Array.isArray(post) && post.filter((part) => part.type === "image_url")).toHaveLength(2);
    expect(messages.reduce((sum, m) => sum + messageTokens(m.content), 0)).toBeLessThanOrEqual(2 * IMAGE_TOKENS + 60);
  });
});

describe("which bots answer a post", () => {
  it("finds mentions by id or whole-word name, in any case", () => {
    expect(mentions("hey sage!", bot)).toBe(true);
    expect(mentions("@Sage what now", bot)).toBe(true);
    expect(mentions("ask @sage-1", bot)).toBe(true);
    expect(mentions("the sages", bot)).toBe(false);
    expect(mentions("massage", bot)).toBe(false);
  });

  it("gives one turn per bot replying to all or mentioned, with the asker", () => {
    const post = { id: "/p1", ownerId: ada, locationId: "@room", content: ["Sage?"] } as never;
    const turns = turnsFor(post, [
      { id: "@sage-1", name: "Sage", replyTo: "mentions" },
      { id: "@quiet", name: "Quiet", replyTo: "mentions" },
      { id: "@chatty", name: "Chatty", replyTo: "all" },
    ]);
    expect(turns).toEqual([
      { space: "@room", bot: "@sage-1", trigger: "/p1", asker: ada },
      { space: "@room", bot: "@chatty", trigger: "/p1", asker: ada },
    ]);
  });

  it("derives one reply id per post and bot, a valid intention id", async () => {
    const a = await replyIdOf({ trigger: "/p1", bot: "@sage-1" });
    expect(a).toBe(await replyIdOf({ trigger: "/p1", bot: "@sage-1" }));
    expect(a).not.toBe(await replyIdOf({ trigger: "/p1", bot: "@other" }));
    expect(a).toMatch(/^\/[A-Za-z0-9_-]{1,64}$/);
  });
});
