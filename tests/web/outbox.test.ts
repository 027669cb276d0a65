import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { IntentionId } from "../../src/shared/entities.ts";
import type { WriteResult } from "../../src/shared/responses.ts";
import { backoff } from "../../src/web/sync/backoff.ts";
import { createOutbox, type Outbox } from "../../src/web/sync/outbox.ts";
import { apiError, databaseDown, deferred, fakeServer, json, networkDown, type Call } from "./support/fake-server.ts";
import { said, SPACE } from "./support/fixtures.ts";

const POST = "POST /api/spaces/%40s/intentions";
const KEY = "spaces:outbox:@me";

/** The server's answer to a post: the row as stored, under the client's id. */
const stored = (call: Call, seq = 6) => {
  const body = call.body as { id: IntentionId; content: string[] };
  return json({ intention: said(body.id, 3, { ownerId: "@me", content: body.content }), seq }, 201);
};

let outboxes: Outbox[] = [];
function open() {
  // Long retry delays: in these tests only the "online" event or an explicit retry may resend.
  const outbox = createOutbox({ storageKey: KEY, delays: backoff(60_000, 60_000) });
  outboxes.push(outbox);
  return outbox;
}

beforeEach(() => localStorage.clear());
afterEach(() => {
  for (const outbox of outboxes) outbox.close();
  outboxes = [];
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe("the outbox", () => {
  it("shows a message at once as pending, then hands the server's row over and drops it", async () => {
    const answer = deferred<Response>();
    const server = fakeServer({ [POST]: () => answer.promise });
    const outbox = open();
    const sent: WriteResult[] = [];
    outbox.onSent((_entry, result) => sent.push(result));

    const id = outbox.send(SPACE, "hello **there**");
    // Synchronously there, before any network activity.
    expect(outbox.entries).toMatchObject([{ id, text: "hello **there**" }]);
    expect(id).toMatch(/^\/[0-9A-Z]{26}$/);
    await vi.waitFor(() => expect(outbox.entries[0]?.status).toBe("sending"));
    expect(server.calls[0]).toMatchObject({ body: { id, content: ["hello **there**"] }, credentials: "same-origin" });

    answer.resolve(stored(server.calls[0]));
    await vi.waitFor(() => expect(outbox.entries).toHaveLength(0));
    expect(sent.map((r) => r.intention.id)).toEqual([id]);
    expect(JSON.parse(localStorage.getItem(KEY)!)).toEqual([]);
  });

  it("keeps a refused message, marked failed with the server's reason, and sends it again on retry", async () => {
    let refuse = true;
    const server = fakeServer({ [POST]: (call) => (refuse ? apiError(403, "FORBIDDEN", "you may not write here") : stored(call)) });
    const outbox = open();
    const id = outbox.send(SPACE, "let me in");
    await vi.waitFor(() => expect(outbox.entries[0]?.status).toBe("failed"));
    expect(outbox.entries[0]).toMatchObject({ id, error: "you may not write here" });

    refuse = false;
    outbox.retry(id);
    await vi.waitFor(() => expect(outbox.entries).toHaveLength(0));
    expect(server.callsTo(POST).map((c) => (c.body as { id: string }).id)).toEqual([id, id]);
  });

  it("discards a failed message for good", async () => {
    fakeServer({ [POST]: () => apiError(400, "VALIDATION", "too long") });
    const outbox = open();
    const id = outbox.send(SPACE, "x");
    await vi.waitFor(() => expect(outbox.entries[0]?.status).toBe("failed"));
    outbox.discard(id);
    expect(outbox.entries).toHaveLength(0);
    expect(JSON.parse(localStorage.getItem(KEY)!)).toEqual([]);
  });

  it("queues messages while the network is down and sends them in order when it is back", async () => {
    let online = false;
    const server = fakeServer({ [POST]: (call) => (online ? stored(call) : networkDown()) });
    const outbox = open();
    const first = outbox.send(SPACE, "one");
    await vi.waitFor(() => expect(outbox.entries[0]?.status).toBe("queued"));
    const second = outbox.send(SPACE, "two");
    const third = outbox.send(SPACE, "three");
    await vi.waitFor(() => expect(outbox.entries.every((e) => e.status === "queued")).toBe(true));
    expect(outbox.entries.map((e) => e.text)).toEqual(["one", "two", "three"]);

    online = true;
    const before = server.calls.length;
    window.dispatchEvent(new Event("online"));
    await vi.waitFor(() => expect(outbox.entries).toHaveLength(0));
    expect(server.calls.slice(before).map((c) => (c.body as { id: string }).id)).toEqual([first, second, third]);
  });

  it("keeps a message queued while the database is down, waits as Retry-After asks, and sends it by itself once it is back", async () => {
    vi.useFakeTimers();
    let down = true;
    const server = fakeServer({ [POST]: (call) => (down ? databaseDown(2) : stored(call)) });
    // Our own backoff (50–100 ms) is shorter than the server's Retry-After: the server's wait wins.
    const outbox = createOutbox({ storageKey: KEY, delays: backoff(100, 100) });
    outboxes.push(outbox);
    const attempts = () => server.callsTo(POST).length;

    const id = outbox.send(SPACE, "while the database sleeps");
    await vi.advanceTimersByTimeAsync(0);
    expect(attempts()).toBe(1);
    expect(outbox.entries).toEqual([{ id, spaceId: SPACE, text: "while the database sleeps", createdAt: expect.any(Number), status: "queued" }]);
    await vi.advanceTimersByTimeAsync(1_990);
    expect(attempts()).toBe(1);
    await vi.advanceTimersByTimeAsync(10);
    expect(attempts()).toBe(2);
    expect(outbox.entries).toEqual([{ id, spaceId: SPACE, text: "while the database sleeps", createdAt: expect.any(Number), status: "queued" }]);

    down = false;
    await vi.advanceTimersByTimeAsync(2_000);
    expect(outbox.entries).toEqual([]);
    expect(server.callsTo(POST).map((c) => (c.body as { id: string }).id)).toEqual([id, id, id]);
  });

  it("caps what Retry-After may ask: a queued message is tried again within 10 s however long the server says", async () => {
    vi.useFakeTimers();
    const server = fakeServer({ [POST]: (call) => (server.calls.length === 1 ? databaseDown(3_600) : stored(call)) });
    const outbox = createOutbox({ storageKey: KEY, delays: backoff(100, 100) });
    outboxes.push(outbox);
    outbox.send(SPACE, "not in an hour");
    await vi.advanceTimersByTimeAsync(0);
    expect(outbox.entries[0]?.status).toBe("queued");
    await vi.advanceTimersByTimeAsync(10_000);
    expect(outbox.entries).toEqual([]);
  });

  it("survives a reload: the queue is restored from localStorage and sent, an interrupted send included", async () => {
    const answer = deferred<Response>();
    fakeServer({ [POST]: () => answer.promise });
    const before = open();
    const id = before.send(SPACE, "typed before the reload");
    await vi.waitFor(() => expect(before.entries[0]?.status).toBe("sending"));
    expect(JSON.parse(localStorage.getItem(KEY)!)).toMatchObject([{ id, status: "sending" }]);
    before.close();

    vi.restoreAllMocks();
    const server = fakeServer({ [POST]: (call) => stored(call) });
    const after = open();
    await vi.waitFor(() => expect(after.entries).toHaveLength(0));
    expect(server.calls.map((c) => (c.body as { id: string }).id)).toEqual([id]);
  });
});
