// PostgreSQL stopped, and frozen, under the running stack (wrangler dev -> Neon HTTP endpoint ->
// PostgreSQL): while it is away every request answers the contract's 503 with Retry-After, and
// writes retried once it is back are stored exactly once, the space's change log without a gap.
import { afterEach, describe, expect, inject, it } from "vitest";
import { newIntentionId } from "../../src/shared/ids.ts";
import { QUERY_TIMEOUT_MS } from "../../src/worker/db/bounded-fetch.ts";
import { controlStack, StackClient, type StackReply as Reply } from "./http.ts";

const stack = inject("stack");
const control = inject("stackControl");

const postgres = (action: "down" | "up" | "pause" | "resume") => controlStack(control, `postgres/${action}`);

// Whatever a test did, the next one (and the next file) finds PostgreSQL running.
afterEach(async () => {
  await postgres("resume");
  await postgres("up");
});

/** The contract's 503: its exact error shape, a Retry-After in seconds, and nothing of the cause. */
function expectUnavailable(reply: Reply, what: string): void {
  expect(reply.status, what).toBe(503);
  expect(reply.headers.get("retry-after"), what).toMatch(/^[1-9]\d*$/);
  expect(reply.body, what).toEqual({ error: { code: "UNAVAILABLE", message: expect.any(String), details: { requestId: expect.any(String) } } });
  expect(reply.body.error.message, what).not.toMatch(/ECONN|refused|127\.0\.0\.1|HTTP status|sql|postgres/i);
}

async function newSpace(owner: StackClient, name: string): Promise<string> {
  const reply = await owner.request("POST", "/api/beings", { name, type: "space" });
  expect(reply.status).toBe(201);
  return reply.body.being.id;
}

const say = (who: StackClient, space: string, id: string, text: string) =>
  who.request("POST", `/api/spaces/${space}/intentions`, { id, content: text });

/** Sends `send` again every 100 ms until it is accepted; returns the accepting reply and when it came. */
async function retryUntilAccepted(send: () => Promise<Reply>, timeoutMs = 15_000): Promise<{ reply: Reply; at: number }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reply = await send();
    if (reply.status < 300 || Date.now() > deadline) return { reply, at: Date.now() };
    expectUnavailable(reply, "a retry before PostgreSQL answers again");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The space's messages in order, and whether its change log runs 1, 2, 3 … without a gap. */
async function history(who: StackClient, space: string) {
  const snapshot = await who.request("GET", `/api/spaces/${space}`);
  const changes = await who.request("GET", `/api/spaces/${space}/changes?after=0`);
  const seqs: number[] = changes.body.changes.map((c: { seq: number }) => c.seq);
  return {
    texts: snapshot.body.intentions.map((i: { content: string[] }) => i.content.join("")),
    gapFree: seqs.every((seq, i) => seq === i + 1) && seqs.at(-1) === snapshot.body.seq,
  };
}

describe("PostgreSQL stopped under the running stack", () => {
  it("answers every read and write 503 UNAVAILABLE with Retry-After; writes retried once it is back land once each", async () => {
    const ada = await StackClient.guest(stack.url, "Ada");
    const space = await newSpace(ada, "Outage");
    expect((await say(ada, space, newIntentionId(), "before the outage")).status).toBe(201);

    const during = ["while down, one", "while down, two", "while down, three"].map((text) => ({ id: newIntentionId(), text }));
    const slowest: number[] = [];
    await postgres("down");
    const requests: Array<[string, string, unknown?]> = [
      ["GET", `/api/spaces/${space}`],
      ["GET", `/api/spaces/${space}/changes?after=0`],
      ["GET", "/api/me"],
      ...during.map(({ id, text }): [string, string, unknown] => ["POST", `/api/spaces/${space}/intentions`, { id, content: text }]),
      ["PATCH", `/api/beings/${ada.id}`, { name: "Ada Lovelace" }],
      ["POST", "/api/auth/guest", { name: "Newcomer" }],
    ];
    for (const [method, path, body] of requests) {
      const started = performance.now();
      expectUnavailable(await ada.request(method, path, body), `${method} ${path}`);
      slowest.push(performance.now() - started);
    }
    // Refused at once: a stopped server is not a slow one.
    expect(Math.max(...slowest)).toBeLessThan(1_000);

    await postgres("up");
    const back = Date.now();
    const accepted: number[] = [];
    for (const { id, text } of during) {
      const { reply, at } = await retryUntilAccepted(() => say(ada, space, id, text));
      expect(reply.status).toBe(201);
      expect(reply.body.intention.id).toBe(id);
      accepted.push(at - back);
    }
    expect((await ada.request("PATCH", `/api/beings/${ada.id}`, { name: "Ada Lovelace" })).status).toBe(200);

    // Nothing lost, nothing twice, in the order it was written, and the change log has no gap.
    const after = await history(ada, space);
    expect(after.texts).toEqual(["before the outage", ...during.map((d) => d.text)]);
    expect(after.gapFree).toBe(true);
    console.info(
      `PostgreSQL down: 503 after ${Math.round(Math.min(...slowest))}–${Math.round(Math.max(...slowest))} ms; ` +
        `after it was back, the retried writes were accepted ${accepted.join(", ")} ms later`,
    );
  });

  it("a frozen PostgreSQL answers 503 once the query's time bound has passed; the write it held lands once", async () => {
    const ada = await StackClient.guest(stack.url, "Ada");
    const space = await newSpace(ada, "Frozen");
    const id = newIntentionId();

    await postgres("pause");
    const started = performance.now();
    const held = await say(ada, space, id, "held by a frozen server");
    const elapsed = performance.now() - started;
    expectUnavailable(held, "a write to a frozen server");
    expect(elapsed).toBeGreaterThanOrEqual(QUERY_TIMEOUT_MS - 100);
    expect(elapsed).toBeLessThan(QUERY_TIMEOUT_MS + 3_000);

    await postgres("resume");
    // The frozen server runs the held statement once it thaws, so the retry may find it already stored
    // (200, the existing row) or store it itself (201); either way there is exactly one.
    const { reply } = await retryUntilAccepted(() => say(ada, space, id, "held by a frozen server"));
    expect([200, 201]).toContain(reply.status);
    expect(reply.body.intention.id).toBe(id);
    const after = await history(ada, space);
    expect(after.texts).toEqual(["held by a frozen server"]);
    expect(after.gapFree).toBe(true);
    console.info(`PostgreSQL frozen: 503 after ${Math.round(elapsed)} ms; the retry after it thawed answered ${reply.status}`);
  });
});
