import { env } from "cloudflare:test";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Being, BeingId, ContentNode, IntentionId } from "../../src/shared/entities.ts";
import { newIntentionId } from "../../src/shared/ids.ts";
import { dailyLimitReason } from "../../src/worker/bots/default-key.ts";
import { runTurn, type TurnReport } from "../../src/worker/bots/reply.ts";
import { replyIdOf, type BotTurn } from "../../src/worker/bots/who-answers.ts";
import { createDb } from "../../src/worker/db/client.ts";
import { botSettings } from "../../src/worker/settings.ts";
import { fakeModel } from "../support/fake-model.ts";
import { type Client, db, guest, space } from "./client.ts";
import { captureLogs } from "./logs.ts";

const OPERATOR_KEY = "sk-operator-0123456789abcdefOPERATORKEY";
const OWN_KEY = "sk-own-0123456789abcdefOWNKEY";
const providerUrl = env.BOT_API_BASE_URL;

/** The worker's settings with the operator's default key and these daily limits. */
const operator = (perBeing: number, project: number, more: Partial<Env> = {}) =>
  ({ ...env, BOT_DEFAULT_API_KEY: OPERATOR_KEY, BOT_DEFAULT_DAILY_TOKENS_PER_BEING: String(perBeing), BOT_DEFAULT_DAILY_TOKENS: String(project), ...more }) as Env;

/** A bot answering only mentions (so only the turns a test runs itself reach the provider), with no key unless given one. */
async function bot(owner: Client, room: BeingId, model: string, apiKey?: string): Promise<Being> {
  const reply = await owner.request("POST", "/api/beings", {
    name: "Helper", type: "bot", locationId: room, properties: { bot: { model, prompt: "Be brief.", replyTo: "mentions" } },
    ...(apiKey ? { secrets: { apiKey } } : {}),
  });
  expect(reply.status).toBe(201);
  return reply.body.being;
}

/** A post by `asker` that the bot's turn answers (written directly: no turn of its own is queued). */
async function ask(asker: BeingId, room: BeingId, bot: BeingId): Promise<BotTurn> {
  const trigger = newIntentionId() as IntentionId;
  await db(sql`INSERT INTO intentions (id, owner_id, location_id, content) VALUES (${trigger}, ${asker}, ${room}, '["a question"]')`);
  return { space: room, bot, trigger, asker };
}

const run = (turn: BotTurn, workerEnv: Env): Promise<TurnReport> => runTurn(createDb(workerEnv), workerEnv, botSettings(workerEnv), turn);

/** Tokens the default key has spent today for `asker`, and for everyone. */
async function spent(asker: BeingId): Promise<{ mine: number; everyone: number }> {
  const [row] = await db<{ mine: string; everyone: string }>(
    sql`SELECT coalesce(sum(tokens) FILTER (WHERE being_id = ${asker}), 0) AS mine, coalesce(sum(tokens), 0) AS everyone
        FROM shared_key_usage WHERE day = (now() AT TIME ZONE 'UTC')::date`,
  );
  return { mine: Number(row!.mine), everyone: Number(row!.everyone) };
}

const reply = async (turn: BotTurn) =>
  (await db<{ state: string; content: ContentNode[] }>(sql`SELECT state, content FROM intentions WHERE id = ${await replyIdOf(turn)}`))[0]!;
const reasonOf = (content: ContentNode[]) => (content.find((node) => typeof node === "object" && node.type === "failure") as { props: { reason: string } } | undefined)?.props.reason;
const requestsTagged = async (tag: string) => (await fetch(`${providerUrl.replace(/\/v1$/, "")}/__requests?tag=${tag}`)).json() as Promise<any[]>;

// The project-wide total is every test's: each test that relies on it starts the day afresh.
const clearToday = () => db(sql`DELETE FROM shared_key_usage WHERE day = (now() AT TIME ZONE 'UTC')::date`);

describe("the operator's default key", () => {
  it("answers for a bot without a key, counted against the asker at the usage the provider reports", async () => {
    await clearToday();
    const [ada, bob] = [await guest("Ada"), await guest("Bob")];
    const room = (await space(ada)).id;
    const tag = `default-${room}`;
    const helper = await bot(ada, room, fakeModel({ tokens: 5, rate: 200, usage: 123, tag }));
    const turn = await ask(bob.id, room, helper.id);
    expect((await run(turn, operator(20_000, 200_000))).outcome).toBe("complete");
    const [request] = await requestsTagged(tag);
    expect(request.authorization).toBe(`Bearer ${OPERATOR_KEY}`);
    expect(request.stream_options).toEqual({ include_usage: true });
    // The asker pays, not the bot's owner.
    expect(await spent(bob.id)).toEqual({ mine: 123, everyone: 123 });
    expect((await spent(ada.id)).mine).toBe(0);
  });

  it("is not used, nor counted, for a bot with its owner's own key", async () => {
    await clearToday();
    const ada = await guest("Ada");
    const room = (await space(ada)).id;
    const tag = `own-${room}`;
    const helper = await bot(ada, room, fakeModel({ tokens: 5, rate: 200, tag }), OWN_KEY);
    // Limits already spent would stop any reply on the default key.
    await db(sql`INSERT INTO shared_key_usage (day, being_id, tokens) VALUES ((now() AT TIME ZONE 'UTC')::date, ${ada.id}, 1000)`);
    const turn = await ask(ada.id, room, helper.id);
    expect((await run(turn, operator(1, 1))).outcome).toBe("complete");
    const [request] = await requestsTagged(tag);
    expect(request.authorization).toBe(`Bearer ${OWN_KEY}`);
    expect(request).not.toHaveProperty("stream_options");
    expect((await spent(ada.id)).mine).toBe(1000);
  });

  it("cannot be spent without bound by a stranger: asked again and again, it refuses once their day's tokens are used", async () => {
    await clearToday();
    const [owner, stranger] = [await guest("Owner"), await guest("Stranger")];
    const room = (await space(owner)).id;
    const tag = `stranger-${room}`;
    const helper = await bot(owner, room, fakeModel({ tokens: 30, rate: 500, tag }));
    const limit = 400;
    const settings = operator(limit, 1_000_000);
    const costs: number[] = [];
    let refused: { state: string; content: ContentNode[] } | undefined;
    for (let asked = 0; asked < 30 && !refused; asked++) {
      const before = (await spent(stranger.id)).mine;
      const turn = await ask(stranger.id, room, helper.id);
      const report = await run(turn, settings);
      if (report.outcome === "failed") refused = await reply(turn);
      else costs.push((await spent(stranger.id)).mine - before);
    }
    expect(refused).toBeDefined();
    expect(refused!.state).toBe("failed");
    expect(reasonOf(refused!.content)).toBe(dailyLimitReason("being", botSettings(settings)));
    expect(reasonOf(refused!.content)).toMatch(/^Stopped by the daily limit: .* 400 tokens a day on the questions of one person/);
    const total = (await spent(stranger.id)).mine;
    expect(costs.length).toBeGreaterThan(1);
    expect(total).toBeLessThanOrEqual(limit + Math.max(...costs));
    // The refused ask never reached the provider.
    expect(await requestsTagged(tag)).toHaveLength(costs.length);

    // Asked all at once (one bot per space, so no concurrency limit holds them back), the reservations
    // take turns: the total still stays within the limit and one reply's most.
    await clearToday();
    const rooms = await Promise.all(Array.from({ length: 6 }, () => space(owner)));
    const bots = await Promise.all(rooms.map((r) => bot(owner, r.id, fakeModel({ tokens: 30, rate: 10 }))));
    const turns = await Promise.all(rooms.map((r, i) => ask(stranger.id, r.id, bots[i]!.id)));
    const reports = await Promise.all(turns.map((turn) => run(turn, operator(60, 1_000_000))));
    expect(reports.filter((r) => r.outcome === "complete").length).toBeGreaterThanOrEqual(1);
    const reasons = await Promise.all(turns.map(async (turn) => reasonOf((await reply(turn)).content)));
    expect(reasons.filter((reason) => reason === dailyLimitReason("being", botSettings(operator(60, 1_000_000)))).length).toBeGreaterThanOrEqual(4);
    expect((await spent(stranger.id)).mine).toBeLessThanOrEqual(60 + Math.max(...costs));
  });

  it("stops everyone once the project's day is used, and says so", async () => {
    await clearToday();
    const [owner, first, second] = [await guest("Owner"), await guest("First"), await guest("Second")];
    const room = (await space(owner)).id;
    const helper = await bot(owner, room, fakeModel({ tokens: 5, rate: 500, usage: 300 }));
    const settings = operator(10_000, 250);
    expect((await run(await ask(first.id, room, helper.id), settings)).outcome).toBe("complete");
    const late = await ask(second.id, room, helper.id);
    const report = await run(late, settings);
    expect(report.outcome).toBe("failed");
    expect(reasonOf((await reply(late)).content)).toBe(dailyLimitReason("project", botSettings(settings)));
    expect(reasonOf((await reply(late)).content)).toMatch(/^Stopped by the daily limit: .* 250 tokens a day for everyone together/);
    expect((await spent(second.id)).mine).toBe(0);
  });

  it("never shows the key: not in a reply, a response, a change or a log line", async () => {
    const logs = captureLogs();
    await clearToday();
    const ada = await guest("Ada");
    const room = (await space(ada)).id;
    const echoing = await bot(ada, room, fakeModel({ fail: 401, echoKey: 1 }));
    const fine = await bot(ada, room, fakeModel({ tokens: 3, rate: 500 }));
    const failed = await ask(ada.id, room, echoing.id);
    const report = await run(failed, operator(20_000, 200_000));
    expect(report.outcome).toBe("failed");
    expect(reasonOf((await reply(failed)).content)).toMatch(/^The model provider answered 401: Incorrect API key provided: \[redacted\]/);
    expect((await run(await ask(ada.id, room, fine.id), operator(20_000, 200_000))).outcome).toBe("complete");
    const seen = [
      JSON.stringify(report.reason),
      JSON.stringify((await ada.request("GET", `/api/spaces/${room}`)).body),
      JSON.stringify((await ada.request("GET", `/api/spaces/${room}/changes?after=0`)).body),
      JSON.stringify((await ada.request("GET", `/api/beings/${fine.id}`)).body),
      ...logs,
    ];
    for (const text of seen) {
      expect(text).not.toContain(OPERATOR_KEY.slice(0, 8));
      expect(text).not.toContain(OPERATOR_KEY.slice(-6));
    }
  });
});
