// Moderation: who may remove a message (an intention). Its author, the owner of the space it is in, the
// owner of the bot that wrote it, and superusers; nobody else (403), and a private space's non-reader
// never learns it is there (404). The space snapshot's `moderation` facts come from the same rulebook
// function, so each case also checks that what the page is told agrees with what the delete does.
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { BeingId, IntentionId } from "../../src/shared/entities.ts";
import { newBeingId, newIntentionId } from "../../src/shared/ids.ts";
import { offersRemoval as offers } from "../../src/shared/moderation.ts";
import type { Moderation } from "../../src/shared/responses.ts";
import { Client, databaseFingerprint, db, guest, space, superuser } from "./client.ts";

/** A space owned by Olga, where Ada wrote a message and Ada's bot wrote a reply; Sam is a stranger. */
async function world(options: { private?: boolean } = {}) {
  const olga = await guest("Olga");
  const ada = await guest("Ada");
  const sam = await guest("Sam");
  const room = (await space(olga, { private: options.private, members: [ada.id] })).id;
  const bot = (await ada.request("POST", "/api/beings", { id: newBeingId("bot"), name: "Helper", type: "bot", locationId: room })).body.being.id as BeingId;
  const post = (await ada.request("POST", `/api/spaces/${room}/intentions`, { content: "hello" })).body.intention.id as IntentionId;
  const reply = newIntentionId();
  await db(sql`INSERT INTO intentions (id, owner_id, location_id, content, asker_id) VALUES (${reply}, ${bot}, ${room}, '["hi"]'::jsonb, ${ada.id})`);
  return { olga, ada, sam, room, bot, post, reply };
}

/** What the snapshot tells `viewer` it may remove in `room` (undefined when it may not read the space). */
async function factsFor(viewer: Client, room: BeingId): Promise<Moderation | undefined> {
  const reply = await viewer.request("GET", `/api/spaces/${room}`);
  return reply.status === 200 ? reply.body.moderation : undefined;
}


describe("DELETE /api/intentions/:id: who may remove a message", () => {
  it.each([
    ["its author", "ada", "post"],
    ["the space's owner, someone else's message", "olga", "post"],
    ["the space's owner, a bot's reply", "olga", "reply"],
    ["the bot's owner, its bot's reply", "ada", "reply"],
    ["a superuser", "root", "post"],
  ] as const)("%s may", async (_, who, what) => {
    const w = await world();
    const caller = who === "root" ? await superuser() : w[who];
    const owner = what === "post" ? w.ada.id : w.bot;
    expect(offers(await factsFor(caller, w.room), owner)).toBe(true);
    const reply = await caller.request("DELETE", `/api/intentions/${encodeURIComponent(w[what])}`);
    expect(reply.status).toBe(204);
    expect(await db(sql`SELECT 1 FROM intentions WHERE id = ${w[what]}`)).toEqual([]);
  });

  it.each([
    ["a stranger, someone's message", "sam", "post"],
    ["a stranger, a bot's reply", "sam", "reply"],
    ["the author of the post a bot answered, not the bot's owner", "olga-as-asker", "reply"],
  ] as const)("%s may not: 403 with the contract's error shape, nothing changes", async (_, who, what) => {
    const w = await world();
    if (who === "olga-as-asker") {
      // Olga asked and Ada's bot answered, in a space Sam owns: asking gives no right to remove the reply.
      await db(sql`UPDATE beings SET owner_id = ${w.sam.id} WHERE id = ${w.room}`);
      await db(sql`UPDATE intentions SET asker_id = ${w.olga.id} WHERE id = ${w.reply}`);
    }
    const caller = who === "sam" ? w.sam : w.olga;
    const owner = what === "post" ? w.ada.id : w.bot;
    expect(offers(await factsFor(caller, w.room), owner)).toBe(false);
    const before = await databaseFingerprint();
    const reply = await caller.request("DELETE", `/api/intentions/${encodeURIComponent(w[what])}`);
    expect(reply.status).toBe(403);
    expect(reply.body.error).toMatchObject({ code: "FORBIDDEN", message: expect.any(String) });
    expect(await databaseFingerprint()).toBe(before);
  });

  it("a stranger to a private space gets 404, as if the message did not exist, and no facts", async () => {
    const w = await world({ private: true });
    expect(await factsFor(w.sam, w.room)).toBeUndefined();
    const before = await databaseFingerprint();
    const reply = await w.sam.request("DELETE", `/api/intentions/${encodeURIComponent(w.post)}`);
    expect(reply.status).toBe(404);
    expect(reply.body.error.code).toBe("NOT_FOUND");
    expect(await databaseFingerprint()).toBe(before);
  });

  it("editing stays the author's (and a superuser's): the space's owner and the bot's owner may not edit", async () => {
    const w = await world();
    expect((await w.olga.request("PATCH", `/api/intentions/${encodeURIComponent(w.post)}`, { content: "edited" })).status).toBe(403);
    expect((await w.ada.request("PATCH", `/api/intentions/${encodeURIComponent(w.reply)}`, { content: "edited" })).status).toBe(403);
    expect((await w.ada.request("PATCH", `/api/intentions/${encodeURIComponent(w.post)}`, { content: "edited" })).status).toBe(200);
  });
});

describe("the snapshot's moderation facts", () => {
  it("name what each viewer may remove: the owner anything, a member itself and its bots, anonymous nothing", async () => {
    const w = await world();
    expect(await factsFor(w.olga, w.room)).toEqual({ removeAny: true, removeOwnedBy: [w.olga.id] });
    expect(await factsFor(w.ada, w.room)).toEqual({ removeAny: false, removeOwnedBy: [w.ada.id, w.bot] });
    expect(await factsFor(w.sam, w.room)).toEqual({ removeAny: false, removeOwnedBy: [w.sam.id] });
    expect(await factsFor(await superuser(), w.room)).toMatchObject({ removeAny: true });
    expect(await factsFor(new Client(), w.room)).toEqual({ removeAny: false, removeOwnedBy: [] });
  });

  it("come with every page of changes too, so a page restored from its cache learns them again", async () => {
    const w = await world();
    const page = await w.ada.request("GET", `/api/spaces/${w.room}/changes?after=0`);
    expect(page.body).toMatchObject({ moderation: { removeAny: false, removeOwnedBy: [w.ada.id, w.bot] }, mayManage: false });
    expect((await w.olga.request("GET", `/api/spaces/${w.room}/changes?after=0`)).body).toMatchObject({ moderation: { removeAny: true }, mayManage: true });
  });

  it("say who may manage the space: its owner and superusers", async () => {
    const w = await world();
    const mayManage = async (viewer: Client) => (await viewer.request("GET", `/api/spaces/${w.room}`)).body.mayManage;
    expect([await mayManage(w.olga), await mayManage(w.ada), await mayManage(await superuser()), await mayManage(new Client())]).toEqual([true, false, true, false]);
  });
});
