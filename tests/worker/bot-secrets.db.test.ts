import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import type { BeingId } from "../../src/shared/entities.ts";
import worker from "../../src/worker/index.ts";
import { openApiKey, sealApiKey, scrubSecret } from "../../src/worker/bots/secrets.ts";
import { Client, db, guest, space, superuser } from "./client.ts";
import { interceptLivekit, livekitEnv } from "./livekit-env.ts";
import { occupy } from "./occupancy.ts";

const KEY = "sk-test-0123456789abcdefSECRET";
const config = { model: "m", prompt: "Be brief." };

let livekit: ReturnType<typeof interceptLivekit> | undefined;
afterEach(() => livekit?.restore());

async function bot(owner: Client, room: BeingId, apiKey: string | null = KEY) {
  const reply = await owner.request("POST", "/api/beings", {
    name: "Helper", type: "bot", locationId: room, properties: { bot: config }, ...(apiKey ? { secrets: { apiKey } } : {}),
  });
  expect(reply.status).toBe(201);
  return reply.body.being;
}

describe("a bot's API key", () => {
  it("is accepted from the owner, shown only as hasKey, and stored sealed outside the beings row", async () => {
    const ada = await guest("Ada");
    const room = (await space(ada)).id;
    const created = await bot(ada, room);
    expect(created.properties.bot).toEqual({ ...config, hasKey: true });
    const [row] = await db<{ sealed: string; properties: unknown }>(
      sql`SELECT k.sealed, b.properties FROM bot_secrets k JOIN beings b ON b.id = k.being_id WHERE k.being_id = ${created.id}`,
    );
    expect(row!.sealed).toMatch(/^v1\./);
    expect(row!.sealed).not.toContain(KEY);
    expect(JSON.stringify(row!.properties)).not.toContain(KEY);
    expect(await openApiKey(env, created.id, row!.sealed)).toBe(KEY);
    // Sealed for this bot only: the same ciphertext does not open for another id.
    expect(await openApiKey(env, "@another-bot", row!.sealed)).toBeUndefined();
  });

  it("never appears in a response, a change (catch-up) or a broadcast payload", async () => {
    const ada = await guest("Ada");
    const room = (await space(ada)).id;
    await occupy(room);
    const created = await bot(ada, room);
    const replies = [
      await ada.request("PATCH", `/api/beings/${created.id}`, { name: "Helper 2", secrets: { apiKey: `${KEY}-2` } }),
      await ada.request("GET", `/api/beings/${created.id}`),
      await ada.request("GET", `/api/spaces/${room}`),
      await ada.request("GET", `/api/spaces/${room}/changes?after=0`),
    ];
    for (const reply of replies) {
      expect(reply.status).toBe(200);
      expect(JSON.stringify(reply.body)).not.toContain(KEY);
    }
    const changes = replies[3]!.body.changes.filter((c: { id: string }) => c.id === created.id);
    expect(changes.length).toBeGreaterThanOrEqual(2);
    expect(changes.at(-1).data.properties.bot.hasKey).toBe(true);
    const [log] = await db<{ text: string }>(sql`SELECT string_agg(data::text, '') AS text FROM changes WHERE space_id = ${room}`);
    expect(log!.text).not.toContain(KEY);

    livekit = interceptLivekit();
    const batch = createMessageBatch("spaces-sync", [{ id: "m1", timestamp: new Date(), attempts: 1, body: { space: room } }]);
    await worker.queue(batch as MessageBatch<any>, livekitEnv);
    await getQueueResult(batch, createExecutionContext());
    expect(livekit.sent.length).toBeGreaterThan(0);
    for (const sent of livekit.sent) expect(JSON.stringify(sent.batch)).not.toContain(KEY);
  });

  it("is write-only: hasKey from the caller is ignored, null removes the key", async () => {
    const ada = await guest("Ada");
    const room = (await space(ada)).id;
    const keyless = await bot(ada, room, null);
    expect(keyless.properties.bot.hasKey).toBe(false);
    const claimed = await ada.request("PATCH", `/api/beings/${keyless.id}`, { properties: { bot: { ...config, hasKey: true } } });
    expect(claimed.body.being.properties.bot.hasKey).toBe(false);
    const keyed = await ada.request("PATCH", `/api/beings/${keyless.id}`, { secrets: { apiKey: KEY } });
    expect(keyed.body.being.properties.bot.hasKey).toBe(true);
    // Replacing the configuration keeps the key.
    const edited = await ada.request("PATCH", `/api/beings/${keyless.id}`, { properties: { bot: { ...config, prompt: "Be kind." } } });
    expect(edited.body.being.properties.bot).toEqual({ ...config, prompt: "Be kind.", hasKey: true });
    const removed = await ada.request("PATCH", `/api/beings/${keyless.id}`, { secrets: { apiKey: null } });
    expect(removed.body.being.properties.bot.hasKey).toBe(false);
    expect(await db(sql`SELECT 1 FROM bot_secrets WHERE being_id = ${keyless.id}`)).toHaveLength(0);
  });

  it("is set only by the bot's owner; others are refused and nothing changes", async () => {
    const ada = await guest("Ada");
    const bob = await guest("Bob");
    const root = await superuser("Root");
    const room = (await space(ada)).id;
    const created = await bot(ada, room);
    const bobs = await bob.request("PATCH", `/api/beings/${created.id}`, { secrets: { apiKey: "sk-bob" } });
    expect(bobs.status).toBe(403);
    const roots = await root.request("PATCH", `/api/beings/${created.id}`, { secrets: { apiKey: "sk-root" } });
    expect(roots.status).toBe(403);
    expect(roots.body.error.message).toMatch(/owner/);
    expect((await bob.request("PATCH", `/api/beings/${created.id}`, { properties: { bot: { ...config, prompt: "Obey Bob." } } })).status).toBe(403);
    const [row] = await db<{ sealed: string }>(sql`SELECT sealed FROM bot_secrets WHERE being_id = ${created.id}`);
    expect(await openApiKey(env, created.id, row!.sealed)).toBe(KEY);
    // Deleting the bot deletes its key.
    expect((await ada.request("DELETE", `/api/beings/${created.id}`)).status).toBe(204);
    expect(await db(sql`SELECT 1 FROM bot_secrets WHERE being_id = ${created.id}`)).toHaveLength(0);
  });

  it("is refused on beings that are not bots, and a configuration that does not validate is 400", async () => {
    const ada = await guest("Ada");
    const room = await space(ada);
    const onSpace = await ada.request("POST", "/api/beings", { name: "S", type: "space", secrets: { apiKey: KEY } });
    expect(onSpace.status).toBe(400);
    expect((await ada.request("PATCH", `/api/beings/${room.id}`, { secrets: { apiKey: KEY } })).status).toBe(400);
    expect((await ada.request("PATCH", `/api/beings/${ada.id}`, { secrets: { apiKey: KEY } })).status).toBe(400);
    for (const bad of [{ model: "", prompt: "" }, { model: "m" }, { model: "m", prompt: "", replyTo: "nobody" }, { model: "m", prompt: "", extra: 1 }, "m"]) {
      const reply = await ada.request("POST", "/api/beings", { name: "B", type: "bot", properties: { bot: bad } });
      expect(reply.status).toBe(400);
      expect(reply.body.error.details[0].path).toMatch(/^properties\.bot/);
    }
    const tooLong = await ada.request("POST", "/api/beings", { name: "B", type: "bot", secrets: { apiKey: `${KEY}${"x".repeat(1000)}` } });
    expect(tooLong.status).toBe(400);
    expect(JSON.stringify(tooLong.body)).not.toContain(KEY);
  });

  it("cannot be stored without BOT_SECRETS_KEY, and the refusal does not repeat it", async () => {
    await expect(sealApiKey({ BOT_SECRETS_KEY: "" }, "@b", KEY)).rejects.toThrow(/BOT_SECRETS_KEY/);
    await expect(sealApiKey({ BOT_SECRETS_KEY: "" }, "@b", KEY)).rejects.not.toThrow(KEY);
  });
});

describe("scrubSecret", () => {
  it("removes the key and masked or cut echoes of it", () => {
    const text = `Incorrect API key provided: ${KEY}. Also sk-test-01****CRET and ${KEY.slice(0, 12)}... and Bearer ${KEY}`;
    const scrubbed = scrubSecret(text, KEY);
    expect(scrubbed).not.toContain(KEY);
    expect(scrubbed).not.toContain(KEY.slice(0, 8));
    expect(scrubbed).toContain("Incorrect API key provided");
    expect(scrubSecret("nothing here", KEY)).toBe("nothing here");
  });
});
