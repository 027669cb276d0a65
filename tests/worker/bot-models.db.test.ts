import { createExecutionContext, env } from "cloudflare:test";
import { sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import type { Being, BeingId } from "../../src/shared/entities.ts";
import worker from "../../src/worker/index.ts";
import { Client, cookieHeader, db, guest, ORIGIN, type Reply, space, superuser } from "./client.ts";
import { captureLogs } from "./logs.ts";

const OWN_KEY = "sk-own-0123456789abcdefOWNKEY";
const OPERATOR_KEY = "sk-operator-0123456789abcdefOPKEY";
const withDefaultKey = { ...env, BOT_DEFAULT_API_KEY: OPERATOR_KEY } as Env;
const providerUrl = env.BOT_API_BASE_URL;

/** GET /api/bots/models as `caller`, through the worker with `workerEnv` (the test suite's own, unless told). */
async function models(caller: Client, bot?: BeingId, workerEnv: Env = env): Promise<Reply> {
  const path = `/api/bots/models${bot ? `?bot=${encodeURIComponent(bot)}` : ""}`;
  if (workerEnv === env) return caller.request("GET", path);
  const headers: Record<string, string> = { Origin: ORIGIN, "CF-Connecting-IP": caller.address, Cookie: cookieHeader(caller.jar) };
  const response = await worker.fetch(new Request(`${ORIGIN}${path}`, { headers }), workerEnv, createExecutionContext());
  return { status: response.status, body: await response.json(), headers: response.headers };
}

/** The Authorization headers GET /v1/models has received so far, oldest first. */
const providerAsked = async (): Promise<Array<string | undefined>> =>
  ((await (await fetch(`${providerUrl.replace(/\/v1$/, "")}/__requests?tag=models`)).json()) as Array<{ authorization?: string }>).map((r) => r.authorization);

async function bot(owner: Client, room: BeingId, apiKey?: string): Promise<Being> {
  const reply = await owner.request("POST", "/api/beings", {
    name: "Lister", type: "bot", locationId: room, properties: { bot: { model: "m", prompt: "" } }, ...(apiKey ? { secrets: { apiKey } } : {}),
  });
  expect(reply.status).toBe(201);
  return reply.body.being;
}

/** Asks, and returns the answer with the Authorization headers the provider received meanwhile. */
async function asked(ask: () => Promise<Reply>) {
  const before = (await providerAsked()).length;
  const reply = await ask();
  return { reply, sent: (await providerAsked()).slice(before) };
}

// The operator's and the keyless lists are shared by every caller: each test starts without them.
beforeEach(() => db(sql`DELETE FROM bot_model_lists WHERE key_identity IN ('none', 'default')`));

describe("GET /api/bots/models", () => {
  it("lists the provider's models with the bot's own key, for whoever may change the bot", async () => {
    const ada = await guest("Ada");
    const helper = await bot(ada, (await space(ada)).id, OWN_KEY);
    const { reply, sent } = await asked(() => models(ada, helper.id, withDefaultKey));
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ models: ["fake-large", "fake-small", "with-key"], key: "own", defaultKey: { tokensPerPersonPerDay: 20_000 } });
    expect(sent).toEqual([`Bearer ${OWN_KEY}`]);
    const root = await superuser("Root");
    expect((await models(root, helper.id)).body.key).toBe("own");
  });

  it("lists with the operator's default key for a new bot or one without a key, else with none", async () => {
    const ada = await guest("Ada");
    const keyless = await bot(ada, (await space(ada)).id);
    const forNew = await asked(() => models(ada, undefined, withDefaultKey));
    expect(forNew.reply.body).toEqual({ models: ["fake-large", "fake-small", "with-key"], key: "default", defaultKey: { tokensPerPersonPerDay: 20_000 } });
    expect(forNew.sent).toEqual([`Bearer ${OPERATOR_KEY}`]);
    const forKeyless = await asked(() => models(ada, keyless.id, withDefaultKey));
    expect(forKeyless.reply.body.key).toBe("default");
    expect(forKeyless.sent).toEqual([]); // the operator's list, already kept

    const without = await asked(() => models(ada, keyless.id));
    expect(without.reply.body).toEqual({ models: ["fake-large", "fake-small", "without-key"], key: "none", defaultKey: null });
    expect(without.sent).toEqual([undefined]);
  });

  it("keeps a list ten minutes: asked again, the provider is not; a new key or an old list asks afresh", async () => {
    const ada = await guest("Ada");
    const helper = await bot(ada, (await space(ada)).id, OWN_KEY);
    expect((await asked(() => models(ada, helper.id))).sent).toHaveLength(1);
    const again = await asked(() => models(ada, helper.id));
    expect(again.reply.body.models).toContain("with-key");
    expect(again.sent).toHaveLength(0);

    expect((await ada.request("PATCH", `/api/beings/${helper.id}`, { secrets: { apiKey: `${OWN_KEY}-2` } })).status).toBe(200);
    expect((await asked(() => models(ada, helper.id))).sent).toEqual([`Bearer ${OWN_KEY}-2`]);
    await db(sql`UPDATE bot_model_lists SET fetched_at = now() - interval '11 minutes' WHERE key_identity LIKE ${`bot:${helper.id}:%`}`);
    expect((await asked(() => models(ada, helper.id))).sent).toHaveLength(1);
    // The cache names the key by a hash of its sealed form, never the key itself.
    const kept = await db<{ row: string }>(sql`SELECT t::text AS row FROM bot_model_lists t`);
    expect(JSON.stringify(kept)).not.toContain(OWN_KEY.slice(0, 8));
  });

  it("is only for the signed in, and a bot's list only for who may change the bot", async () => {
    const [ada, bob] = [await guest("Ada"), await guest("Bob")];
    const open = await bot(ada, (await space(ada)).id, OWN_KEY);
    const hidden = await bot(ada, (await space(ada, { private: true })).id, OWN_KEY);
    const { reply: refused, sent } = await asked(() => models(bob, open.id));
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("FORBIDDEN");
    expect(sent).toEqual([]);
    expect((await models(bob, hidden.id)).status).toBe(404);
    expect((await models(bob, "@no-such-bot")).status).toBe(404);
    expect((await models(bob, (await space(ada)).id)).status).toBe(404); // a space is not a bot
    expect((await models(new Client(), open.id)).status).toBe(401);
    expect((await models(new Client())).status).toBe(401);
    expect((await bob.request("GET", "/api/bots/models?bot=not-an-id")).status).toBe(400);
  });

  it("answers 503 UNAVAILABLE, readable and without the key, when the provider fails, answers too much, or is not configured", async () => {
    const logs = captureLogs();
    const ada = await guest("Ada");
    const room = (await space(ada)).id;
    const failingKey = "fail-503-sk-0123456789abcdefFAILKEY";
    const failing = await models(ada, (await bot(ada, room, failingKey)).id);
    expect(failing.status).toBe(503);
    expect(failing.body.error).toMatchObject({ code: "UNAVAILABLE", message: expect.stringMatching(/^The model provider answered 503: The models are resting\. Key \[redacted\]/) });
    const huge = await models(ada, (await bot(ada, room, "huge-sk-0123456789abcdefHUGEKEY")).id);
    expect(huge.status).toBe(503);
    expect(huge.body.error.message).toMatch(/larger than 4 MiB/);
    const none = await models(ada, undefined, { ...env, BOT_API_BASE_URL: "" } as Env);
    expect(none.status).toBe(503);
    expect(none.body.error.message).toMatch(/BOT_API_BASE_URL/);
    for (const text of [JSON.stringify([failing.body, huge.body]), ...logs]) {
      expect(text).not.toContain(failingKey.slice(0, 8));
      expect(text).not.toContain(failingKey.slice(-6));
    }
    // A failure is not kept: the provider is asked again next time.
    const another = await bot(ada, room, failingKey);
    const again = await asked(() => models(ada, another.id));
    expect(again.sent).toHaveLength(1);
  });
});
