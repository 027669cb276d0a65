import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { sql } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import type { Being, BeingId, ContentNode, Intention, IntentionId } from "../../src/shared/entities.ts";
import { newIntentionId } from "../../src/shared/ids.ts";
import { mentionNode, replyNode } from "../../src/shared/content.ts";
import worker from "../../src/worker/index.ts";
import { botSettings } from "../../src/worker/settings.ts";
import { UNCONFIGURED, runTurn, type TurnReport } from "../../src/worker/bots/reply.ts";
import { createDb } from "../../src/worker/db/client.ts";
import { replyIdOf, type BotTurn } from "../../src/worker/bots/who-answers.ts";
import { runCron } from "../../src/worker/cron.ts";
import { fakeModel, fakeText } from "../support/fake-model.ts";
import { Client, db, guest, sessionFor, space } from "./client.ts";
import { png, upload } from "./files.ts";
import { captureLogs } from "./logs.ts";

const KEY = "sk-live-0123456789abcdefSECRETKEY";
const providerUrl = env.BOT_API_BASE_URL;

async function bot(owner: Client, room: BeingId, model: string, options: { replyTo?: "all" | "mentions"; name?: string; key?: string | null; images?: boolean } = {}): Promise<Being> {
  const key = options.key === undefined ? KEY : options.key;
  const reply = await owner.request("POST", "/api/beings", {
    name: options.name ?? "Helper", type: "bot", locationId: room,
    properties: { bot: { model, prompt: "You are terse.", replyTo: options.replyTo ?? "all", ...(options.images ? { images: true } : {}) } },
    ...(key ? { secrets: { apiKey: key } } : {}),
  });
  expect(reply.status).toBe(201);
  return reply.body.being;
}

async function post(author: Client, room: BeingId, content: string | ContentNode[]): Promise<Intention> {
  const reply = await author.request("POST", `/api/spaces/${room}/intentions`, { content });
  expect(reply.status).toBe(201);
  return reply.body.intention;
}

interface Row { state: string; content: ContentNode[]; owner_id: string; asker_id: string | null; type: string }
const readReply = async (id: IntentionId) =>
  (await db<Row>(sql`SELECT state, content, owner_id, asker_id, type FROM intentions WHERE id = ${id}`))[0];

/** Polls until `check` holds for the reply (it may not exist yet). */
async function until(id: IntentionId, check: (row: Row) => boolean, timeoutMs = 15_000): Promise<Row> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = await readReply(id);
    if (row && check(row)) return row;
    if (Date.now() > deadline) throw new Error(`reply ${id} never got there: ${JSON.stringify(row)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
const settled = (id: IntentionId, timeoutMs?: number) => until(id, (row) => row.state !== "active", timeoutMs);
const replyTo = (post: Intention, bot: Being) => replyIdOf({ trigger: post.id, bot: bot.id });
const requestsTagged = async (tag: string) => (await fetch(`${providerUrl.replace(/\/v1$/, "")}/__requests?tag=${tag}`)).json() as Promise<any[]>;
const failure = (row: Row) => (row.content.find((node) => typeof node === "object" && node.type === "failure") as { props: { reason: string } } | undefined)?.props.reason;

describe("a bot's reply", () => {
  it("is created active at once, grows in throttled writes, and completes; the model sees prompt, history and its own replies", async () => {
    const ada = await guest("Ada");
    const room = (await space(ada)).id;
    const helper = await bot(ada, room, fakeModel({ tokens: 20, rate: 40, tag: `grow-${room}` }));
    const first = await post(ada, room, "hello");
    const id = await replyTo(first, helper);
    const active = await until(id, () => true);
    expect(active).toMatchObject({ owner_id: helper.id, asker_id: ada.id, type: "utterance" });
    const done = await settled(id);
    expect(done).toMatchObject({ state: "complete", content: [fakeText(20)] });

    const changes = (await ada.request("GET", `/api/spaces/${room}/changes?after=0&limit=1000`)).body.changes.filter((c: any) => c.id === id);
    expect(changes[0].data).toMatchObject({ state: "active", askerId: ada.id });
    expect(changes.at(-1).data.state).toBe("complete");
    const texts = changes.map((c: any) => (c.data.content[0] as string | undefined) ?? "");
    // It grew in between: at least one partial text, each a prefix of the next.
    expect(texts.some((t: string) => t && t !== fakeText(20))).toBe(true);
    texts.slice(1).forEach((t: string, i: number) => expect(t.startsWith(texts[i]!)).toBe(true));
    // Each throttled rewrite is an update like any other: version 1 on create, +1 per write.
    expect(changes.map((c: any) => c.data.version)).toEqual(changes.map((_: unknown, i: number) => i + 1));
    // 20 tokens at 40/s take 0.5 s; writes are at most one per 100 ms here, plus the insert and the final write.
    expect(changes.length).toBeLessThanOrEqual(0.5 / 0.1 + 4);

    await post(ada, room, "and again");
    const [, second] = await requestsTagged(`grow-${room}`).then(async (r) => {
      for (let i = 0; r.length < 2 && i < 100; i++) r = await new Promise((res) => setTimeout(() => res(requestsTagged(`grow-${room}`)), 100));
      return r;
    });
    expect(second.authorization).toBe(`Bearer ${KEY}`);
    expect(second.messages[0]).toMatchObject({ role: "system" });
    expect(second.messages[0].content).toContain("You are terse.");
    expect(second.messages.slice(1)).toEqual([
      { role: "user", content: "Ada: hello" },
      { role: "assistant", content: fakeText(20) },
      { role: "user", content: "Ada: and again" },
    ]);
  });

  it("ends failed with the provider's error, readable, and without the key in it or in any log line", async () => {
    const ada = await guest("Ada");
    const room = (await space(ada)).id;
    const overloaded = await bot(ada, room, fakeModel({ fail: 503 }), { name: "Over" });
    const echoing = await bot(ada, room, fakeModel({ fail: 401, echoKey: 1 }), { name: "Echo" });
    const logs = captureLogs();
    const question = await post(ada, room, "anyone?");
    const one = await settled(await replyTo(question, overloaded));
    expect(one.state).toBe("failed");
    expect(failure(one)).toBe("The model provider answered 503: The model is overloaded.");
    const two = await settled(await replyTo(question, echoing));
    expect(two.state).toBe("failed");
    expect(failure(two)).toMatch(/^The model provider answered 401: Incorrect API key provided: \[redacted\]/);
    const seen = JSON.stringify([two, (await ada.request("GET", `/api/spaces/${room}`)).body, (await ada.request("GET", `/api/spaces/${room}/changes?after=0`)).body]);
    expect(seen).not.toContain(KEY);
    expect(seen).not.toContain(KEY.slice(0, 8));
    await vi.waitFor(() => expect(logs.filter((line) => line.includes('"event":"bot_turn"')).length).toBeGreaterThanOrEqual(2));
    for (const line of logs) {
      expect(line).not.toContain(KEY);
      expect(line).not.toContain(KEY.slice(0, 8));
    }
  });

  it("ends failed after the stall timeout, keeping the text so far", async () => {
    const ada = await guest("Ada");
    const room = (await space(ada)).id;
    const helper = await bot(ada, room, fakeModel({ tokens: 20, rate: 40, stallAfter: 3 }));
    const started = Date.now();
    const row = await settled(await replyTo(await post(ada, room, "go"), helper));
    expect(row.state).toBe("failed");
    expect(row.content[0]).toBe(fakeText(3));
    expect(failure(row)).toBe("The model stopped responding for 1 s.");
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  });

  /** A reply whose stream the provider drops after 4 tokens, on its first `crashTimes` requests. */
  async function breaking(crashTimes: number) {
    const ada = await guest("Ada");
    const room = (await space(ada)).id;
    const tag = `crash-${room}`;
    const helper = await bot(ada, room, fakeModel({ tokens: 12, rate: 60, crashAfter: 4, crashTimes, tag }));
    const row = await settled(await replyTo(await post(ada, room, "go"), helper), 30_000);
    return { row, requests: (await requestsTagged(tag)).length, replies: await db(sql`SELECT id FROM intentions WHERE owner_id = ${helper.id}`) };
  }

  it("survives a stream that breaks mid-way: the turn is retried and writes the same single reply", async () => {
    const { row, requests, replies } = await breaking(1);
    expect(row).toMatchObject({ state: "complete", content: [fakeText(12)] });
    expect(requests).toBe(2);
    expect(replies).toHaveLength(1);
  });

  it("ends failed, never stuck active, when every attempt breaks", async () => {
    const { row, requests, replies } = await breaking(99);
    expect(row.state).toBe("failed");
    expect(failure(row)).toMatch(/broke off/);
    expect(requests).toBe(3);
    expect(replies).toHaveLength(1);
  });

  it("a reply whose turn died is failed by the sweeper", async () => {
    const ada = await guest("Ada");
    const room = (await space(ada)).id;
    const helper = await bot(ada, room, "unused", { replyTo: "mentions" });
    const id = newIntentionId();
    // Inserted as its dead turn left it: active, last written an hour ago (the trigger sets modified_at only on update).
    await db(sql`INSERT INTO intentions (id, owner_id, location_id, content, state, asker_id, modified_at)
                 VALUES (${id}, ${helper.id}, ${room}, '["half a"]', 'active', ${ada.id}, now() - interval '1 hour')`);
    await runCron(env);
    const row = await readReply(id as IntentionId);
    expect(row!.state).toBe("failed");
    expect(row!.content[0]).toBe("half a");
  });

  it("says how to configure a provider when the bot has no key (or the server no provider)", async () => {
    const ada = await guest("Ada");
    const room = (await space(ada)).id;
    const keyless = await bot(ada, room, fakeModel({ tokens: 3 }), { key: null });
    const row = await settled(await replyTo(await post(ada, room, "hi"), keyless));
    expect(row.state).toBe("failed");
    expect(failure(row)).toBe(UNCONFIGURED);
    expect(UNCONFIGURED).toMatch(/BOT_API_BASE_URL/);

    // No provider on the server: the same answer, from the queue consumer itself.
    const keyed = await bot(ada, room, fakeModel({ tokens: 3 }), { replyTo: "mentions", name: "Keyed" });
    const trigger = newIntentionId();
    await db(sql`INSERT INTO intentions (id, owner_id, location_id, content) VALUES (${trigger}, ${ada.id}, ${room}, '["Keyed?"]')`);
    await runTurns([{ space: room, bot: keyed.id, trigger: trigger as IntentionId, asker: ada.id }], { ...env, BOT_API_BASE_URL: "" });
    const unconfigured = await readReply(await replyIdOf({ trigger: trigger as IntentionId, bot: keyed.id }));
    expect(unconfigured).toMatchObject({ state: "failed" });
    expect(failure(unconfigured!)).toBe(UNCONFIGURED);
  });

  it("is cut at the maximum length and completes", async () => {
    const ada = await guest("Ada");
    const room = (await space(ada)).id;
    const helper = await bot(ada, room, fakeModel({ tokens: 50, rate: 200 }), { replyTo: "mentions" });
    const trigger = newIntentionId() as IntentionId;
    await db(sql`INSERT INTO intentions (id, owner_id, location_id, content) VALUES (${trigger}, ${ada.id}, ${room}, '["Helper?"]')`);
    await runTurns([{ space: room, bot: helper.id, trigger, asker: ada.id }], { ...env, BOT_MAX_REPLY_CHARS: "10" });
    expect(await readReply(await replyIdOf({ trigger, bot: helper.id }))).toMatchObject({ state: "complete", content: [fakeText(50).slice(0, 10)] });
  });
});

/** Runs turns as their runner does, with the settings of `workerEnv`, to their end. */
async function runTurns(turns: BotTurn[], workerEnv: Env = env): Promise<TurnReport[]> {
  return Promise.all(turns.map((turn) => runTurn(createDb(workerEnv), workerEnv, botSettings(workerEnv), turn)));
}

describe("the bots' queue", () => {
  it("hands turns to their runners in moments; a second delivery of a turn streams no second reply", async () => {
    const ada = await guest("Ada");
    const room = (await space(ada)).id;
    const tag = `handover-${Date.now()}`;
    const helper = await bot(ada, room, fakeModel({ tokens: 20, rate: 20, tag }), { replyTo: "mentions" });
    const trigger = newIntentionId() as IntentionId;
    await db(sql`INSERT INTO intentions (id, owner_id, location_id, content) VALUES (${trigger}, ${ada.id}, ${room}, '["Helper?"]')`);
    const turn: BotTurn = { space: room, bot: helper.id, trigger, asker: ada.id };
    const deliver = async () => {
      const batch = createMessageBatch("spaces-bots", [{ id: `turn-${Date.now()}`, timestamp: new Date(), attempts: 1, body: turn }]);
      const startedAt = Date.now();
      await worker.queue(batch as MessageBatch<any>, env);
      return { ms: Date.now() - startedAt, result: await getQueueResult(batch, createExecutionContext()) };
    };
    const first = await deliver();
    // The reply streams for about a second; the consumer is done long before.
    expect(first.ms).toBeLessThan(500);
    expect(first.result.explicitAcks).toHaveLength(1);
    const id = await replyIdOf(turn);
    await until(id, (row) => typeof row.content[0] === "string" && row.content[0].length > 0);
    expect((await deliver()).result.explicitAcks).toHaveLength(1);
    expect(await settled(id)).toMatchObject({ state: "complete", content: [fakeText(20)] });
    expect(await requestsTagged(tag)).toHaveLength(1);
  });
});

describe("who a bot answers", () => {
  it("answers people, never bots: a bot's reply or a bot's own post starts no turn", async () => {
    const ada = await guest("Ada");
    const room = (await space(ada)).id;
    const a = await bot(ada, room, fakeModel({ tokens: 3, rate: 100 }), { name: "Alpha" });
    const b = await bot(ada, room, fakeModel({ tokens: 3, rate: 100 }), { name: "Beta" });
    const question = await post(ada, room, "both of you");
    await settled(await replyTo(question, a));
    await settled(await replyTo(question, b));
    const asBot = await sessionFor(a.id);
    await post(asBot, room, "Beta, I am a bot talking");
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const rows = await db<{ owner_id: string }>(sql`SELECT owner_id FROM intentions WHERE location_id = ${room} ORDER BY created_at`);
    expect(rows.map((r) => r.owner_id).sort()).toEqual([ada.id, a.id, a.id, b.id].sort());
  });

  it("stays silent in a private space its owner was removed from: the conversation never reaches the owner's provider", async () => {
    const [ada, bob] = [await guest("Ada"), await guest("Bob")];
    const room = (await space(ada, { private: true, members: [bob.id] })).id;
    const helper = await bot(bob, room, fakeModel({ tokens: 3, rate: 100 }), { name: "Bobs bot" });
    expect((await ada.request("PATCH", `/api/beings/${room}`, { properties: { private: true, members: [] } })).status).toBe(200);
    const question = await post(ada, room, "only for members now");
    const [report] = await runTurns([{ space: room, bot: helper.id, trigger: question.id, asker: ada.id }]);
    expect(report!.outcome).toBe("skipped");
    expect(await readReply(await replyTo(question, helper))).toBeUndefined();
  });

  it("with replyTo mentions, answers only posts that name it (by name or id)", async () => {
    const ada = await guest("Ada");
    const room = (await space(ada)).id;
    const helper = await bot(ada, room, fakeModel({ tokens: 3, rate: 100 }), { replyTo: "mentions", name: "Sage" });
    const ignored = await post(ada, room, "the sages of old");
    const byName = await post(ada, room, "what do you think, sage?");
    const byId = await post(ada, room, `${helper.id} please`);
    expect((await settled(await replyTo(byName, helper))).state).toBe("complete");
    expect((await settled(await replyTo(byId, helper))).state).toBe("complete");
    expect(await readReply(await replyTo(ignored, helper))).toBeUndefined();
  });

  it("with replyTo mentions, answers a mention node by the bot's id whatever its text says", async () => {
    const ada = await guest("Ada");
    const room = (await space(ada)).id;
    const helper = await bot(ada, room, fakeModel({ tokens: 3, rate: 100 }), { replyTo: "mentions", name: "Sage" });
    const other = await bot(ada, room, fakeModel({ tokens: 3, rate: 100 }), { replyTo: "mentions", name: "Owl" });
    // The node's text is a stale name: the id decides who is asked.
    const asked = await post(ada, room, ["what now, ", mentionNode(helper.id, "Someone else"), "?"]);
    expect((await settled(await replyTo(asked, helper))).state).toBe("complete");
    const stored = await db<{ mentions: string[] }>(sql`SELECT mentions FROM intentions WHERE id = ${asked.id}`);
    expect(stored[0]!.mentions).toEqual([helper.id]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await readReply(await replyTo(asked, other))).toBeUndefined();
  });

  it("asked in a reply, sees the message replied to though it is far out of the history window", async () => {
    const ada = await guest("Ada");
    const room = (await space(ada)).id;
    const original = await post(ada, room, "The launch code is pelican-42.");
    await db(sql`INSERT INTO intentions (id, owner_id, location_id, content)
                 SELECT '/filler-' || ${room.slice(1)} || '-' || n, ${ada.id}, ${room}, jsonb_build_array('filler ' || n)
                 FROM generate_series(1, 60) AS n`);
    const tag = `reply-${room}`;
    const helper = await bot(ada, room, fakeModel({ tokens: 3, rate: 100, tag }), { replyTo: "mentions", name: "Sage" });
    const asked = await post(ada, room, [replyNode(original.id), mentionNode(helper.id, "Sage"), " what is it?"]);
    expect((await settled(await replyTo(asked, helper))).state).toBe("complete");
    const [request] = await requestsTagged(tag);
    const texts = request.messages.map((m: { content: string }) => m.content);
    expect(texts.at(-2)).toBe("(The message being replied to) Ada: The launch code is pelican-42.");
    expect(texts.at(-1)).toBe("Ada: @Sage what is it?");
    expect(texts.filter((t: string) => t.includes("pelican"))).toHaveLength(1);
  });

  it("whose model accepts images is sent a message's pictures inline (data URLs, never an address); one whose model does not, only the text", async () => {
    const ada = await guest("Ada");
    const room = (await space(ada, { private: true })).id;
    const [seeing, blind] = [`eyes-${room}`, `blind-${room}`];
    const vision = await bot(ada, room, fakeModel({ tokens: 3, rate: 100, tag: seeing }), { replyTo: "mentions", name: "Iris", images: true });
    const plain = await bot(ada, room, fakeModel({ tokens: 3, rate: 100, tag: blind }), { replyTo: "mentions", name: "Tex" });
    const picture = png(40, 30);
    const attachment = (await upload(ada, room, picture, "cat.png")).body.attachment;
    const document = (await upload(ada, room, new TextEncoder().encode("%PDF-1.7 notes"), "notes.pdf")).body.attachment;
    const asked = await ada.request("POST", `/api/spaces/${room}/intentions`, {
      content: [mentionNode(vision.id, "Iris"), " ", mentionNode(plain.id, "Tex"), " what is in this picture?"],
      attachments: [attachment.id, document.id],
    });
    expect(asked.status).toBe(201);
    await Promise.all([settled(await replyTo(asked.body.intention, vision)), settled(await replyTo(asked.body.intention, plain))]);

    const [seen] = await requestsTagged(seeing);
    const base64 = btoa(String.fromCharCode(...picture));
    expect(seen.messages.at(-1).content).toEqual([
      { type: "text", text: "Ada: @Iris @Tex what is in this picture?" },
      { type: "image_url", image_url: { url: `data:image/png;base64,${base64}` } },
    ]);
    expect(JSON.stringify(seen)).not.toMatch(/\/api\/attachments|https?:\/\/[^"]*attachments/);
    const [unseen] = await requestsTagged(blind);
    expect(unseen.messages.at(-1).content).toBe("Ada: @Iris @Tex what is in this picture?");
  });

  it("asked in a reply to a message of another space, is given nothing of it", async () => {
    const [ada, eve] = [await guest("Ada"), await guest("Eve")];
    const secret = (await space(ada, { private: true })).id;
    const hidden = await post(ada, secret, "private pelican");
    const room = (await space(eve)).id;
    const tag = `cross-${room}`;
    const helper = await bot(eve, room, fakeModel({ tokens: 3, rate: 100, tag }));
    const asked = await post(eve, room, [replyNode(hidden.id), "what did it say?"]);
    expect((await settled(await replyTo(asked, helper))).state).toBe("complete");
    const [request] = await requestsTagged(tag);
    expect(JSON.stringify(request.messages)).not.toContain("pelican");
  });

  it("holds a space to its limit of replies streaming at once; the rest wait and then answer", async () => {
    const ada = await guest("Ada");
    const room = (await space(ada)).id;
    const helper = await bot(ada, room, fakeModel({ tokens: 10, rate: 20 }));
    const posts = [await post(ada, room, "one"), await post(ada, room, "two"), await post(ada, room, "three")];
    let most = 0;
    const ids = await Promise.all(posts.map((p) => replyTo(p, helper)));
    const deadline = Date.now() + 20_000;
    for (;;) {
      const rows = await db<{ state: string }>(sql`SELECT state FROM intentions WHERE owner_id = ${helper.id}`);
      most = Math.max(most, rows.filter((r) => r.state === "active").length);
      if (rows.length === 3 && rows.every((r) => r.state === "complete")) break;
      if (Date.now() > deadline) throw new Error(`not all replies completed: ${JSON.stringify(rows)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(most).toBeLessThanOrEqual(2);
    for (const id of ids) expect((await readReply(id))!.content).toEqual([fakeText(10)]);
  });
});

describe("stopping a reply", () => {
  it("the asker, the bot's owner and the space's owner may cancel it; the stream stops and the text so far stays", async () => {
    const owner = await guest("Owner");
    const botOwner = await guest("Maker");
    const asker = await guest("Asker");
    const stranger = await guest("Stranger");
    const room = (await space(owner)).id;
    const helper = await bot(botOwner, room, fakeModel({ tokens: 400, rate: 20 }));
    for (const stopper of [asker, botOwner, owner]) {
      const question = await post(asker, room, `stop me, ${stopper.being!.name}`);
      const id = await replyTo(question, helper);
      await until(id, (row) => typeof row.content[0] === "string" && row.content[0].length > 0);
      const path = `/api/intentions/${encodeURIComponent(id)}`;
      expect((await stranger.request("PATCH", path, { state: "cancelled" })).status).toBe(403);
      expect((await asker.request("PATCH", path, { content: "my words now" })).status).toBe(403);
      expect((await asker.request("PATCH", path, { state: "complete" })).status).toBe(403);
      expect((await stranger.request("DELETE", path)).status).toBe(403);
      const stopped = await stopper.request("PATCH", path, { state: "cancelled" });
      expect(stopped.status).toBe(200);
      expect(stopped.body.intention.state).toBe("cancelled");
      const kept = stopped.body.intention.content;
      expect(kept[0]).toMatch(/^t1 /);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(await readReply(id)).toMatchObject({ state: "cancelled", content: kept });
      // Once ended, the stopper may still ask, but too late: a conflict, not a refusal.
      expect((await stopper.request("PATCH", path, { state: "cancelled" })).status).toBe(409);
    }
  });

  it("a stop after the reply finished answers 409 to whoever may stop it, 403 to anyone else, and changes nothing", async () => {
    const owner = await guest("Owner");
    const asker = await guest("Asker");
    const stranger = await guest("Stranger");
    const room = (await space(owner)).id;
    const helper = await bot(owner, room, fakeModel({ tokens: 3, rate: 200 }));
    const id = await replyTo(await post(asker, room, "a short answer, please"), helper);
    const finished = await settled(id);
    expect(finished.state).toBe("complete");
    const path = `/api/intentions/${encodeURIComponent(id)}`;
    const late = await asker.request("PATCH", path, { state: "cancelled" });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe("CONFLICT");
    expect(late.body.error.message).toMatch(/already finished/);
    expect((await stranger.request("PATCH", path, { state: "cancelled" })).status).toBe(403);
    expect((await asker.request("PATCH", path, { content: "my words now" })).status).toBe(403);
    expect(await readReply(id)).toEqual(finished);
  });

  it("a stop with a stale ifVersion answers 409 with the reply as it is, and the reply streams on", async () => {
    const owner = await guest("Owner");
    const asker = await guest("Asker");
    const stranger = await guest("Stranger");
    const room = (await space(owner)).id;
    const helper = await bot(owner, room, fakeModel({ tokens: 40, rate: 40 }));
    const id = await replyTo(await post(asker, room, "take your time"), helper);
    await until(id, (row) => typeof row.content[0] === "string" && row.content[0].length > 0);
    const path = `/api/intentions/${encodeURIComponent(id)}`;
    expect((await stranger.request("PATCH", path, { state: "cancelled", ifVersion: 1 })).status).toBe(403);
    const stale = await asker.request("PATCH", path, { state: "cancelled", ifVersion: 1 });
    expect(stale.status).toBe(409);
    expect(stale.body.error.details.current).toMatchObject({ id, state: "active", askerId: asker.id });
    expect(stale.body.error.details.current.version).toBeGreaterThan(1);
    expect((await settled(id)).state).toBe("complete");
  });
});
