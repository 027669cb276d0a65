import { env } from "cloudflare:test";
import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { newIntentionId } from "../../src/shared/ids.ts";
import { databaseFingerprint, db, guest, space } from "./client.ts";

afterEach(() => vi.restoreAllMocks());

describe("posting to a space", () => {
  it("creates an utterance owned by the caller and returns its seq", async () => {
    const ada = await guest("Ada");
    const room = await space(ada);
    const reply = await ada.request("POST", `/api/spaces/${room.id}/intentions`, { content: "hello **world**" });
    expect(reply.status).toBe(201);
    expect(reply.body.intention).toMatchObject({ type: "utterance", state: "complete", ownerId: ada.id, locationId: room.id, content: ["hello **world**"] });
    const [change] = await db<{ seq: string; data: any }>(sql`SELECT seq, data FROM changes WHERE entity_id = ${reply.body.intention.id}`);
    expect(Number(change!.seq)).toBe(reply.body.seq);
    expect(change!.data.content).toEqual(["hello **world**"]);
  });

  it("accepts structured content", async () => {
    const ada = await guest("Ada");
    const content = [{ type: "p", content: ["hi ", { type: "b", content: ["there"] }] }];
    const reply = await ada.request("POST", "/api/spaces/@intraliminal/intentions", { content });
    expect(reply.status).toBe(201);
    expect(reply.body.intention.content).toEqual(content);
  });

  it("is idempotent by client id: a repeat returns the row and writes nothing; someone else's id conflicts", async () => {
    const ada = await guest("Ada");
    const room = await space(ada);
    const id = newIntentionId();
    const first = await ada.request("POST", `/api/spaces/${room.id}/intentions`, { id, content: "once" });
    expect(first.status).toBe(201);
    const bob = await guest("Bob");
    const before = await databaseFingerprint();
    const repeat = await ada.request("POST", `/api/spaces/${room.id}/intentions`, { id, content: "once" });
    expect(repeat.status).toBe(200);
    // The repeat appended nothing, so it has nothing to relay.
    expect(repeat.body).toEqual({ ...first.body, sync: [] });
    const stolen = await bob.request("POST", `/api/spaces/${room.id}/intentions`, { id, content: "mine" });
    expect(stolen.status).toBe(409);
    expect(stolen.body.error.code).toBe("CONFLICT");
    expect(await databaseFingerprint()).toBe(before);
  });

  it("settles two simultaneous posts of one id into one row", async () => {
    const ada = await guest("Ada");
    const room = await space(ada);
    const id = newIntentionId();
    const replies = await Promise.all([1, 2, 3].map(() => ada.request("POST", `/api/spaces/${room.id}/intentions`, { id, content: "race" })));
    expect(replies.map((r) => r.status).sort()).toEqual([200, 200, 201]);
    const { n } = (await db<{ n: number }>(sql`SELECT count(*)::int AS n FROM changes WHERE entity_id = ${id}`))[0]!;
    expect(n).toBe(1);
  });

  it.each([
    [{ content: "" }],
    [{ content: "x".repeat(10_001) }],
    [{ content: [] }],
    [{ content: [{ type: "p", onclick: "x" }] }],
    [{ content: "ok", id: "no-slash" }],
    [{ content: "ok", ownerId: "@root" }],
    [{ content: 5 }],
  ])("refuses %j and writes nothing", async (body) => {
    const ada = await guest("Ada");
    const before = await databaseFingerprint();
    const reply = await ada.request("POST", "/api/spaces/@intraliminal/intentions", body);
    expect(reply.status).toBe(400);
    expect(reply.body.error.code).toBe("VALIDATION");
    expect(await databaseFingerprint()).toBe(before);
  });
});

describe("changing and deleting", () => {
  it("lets the owner edit content and state, with a new seq each time, and delete", async () => {
    const ada = await guest("Ada");
    const room = await space(ada);
    const created = (await ada.request("POST", `/api/spaces/${room.id}/intentions`, { content: "draft" })).body;
    const path = `/api/intentions/${encodeURIComponent(created.intention.id)}`;
    const edited = await ada.request("PATCH", path, { content: "final", state: "complete" });
    expect(edited.status).toBe(200);
    expect(edited.body.intention.content).toEqual(["final"]);
    expect(edited.body.seq).toBe(created.seq + 1);
    expect(new Date(edited.body.intention.modifiedAt).getTime()).toBeGreaterThanOrEqual(new Date(created.intention.modifiedAt).getTime());
    expect((await ada.request("DELETE", path)).status).toBe(204);
    expect((await ada.request("PATCH", path, { content: "ghost" })).status).toBe(404);
    const last = (await ada.request("GET", `/api/spaces/${room.id}/changes?after=${edited.body.seq}`)).body.changes;
    expect(last).toEqual([expect.objectContaining({ kind: "intention", op: "delete", id: created.intention.id })]);
  });

  it("accepts the id without its leading slash in the path", async () => {
    const ada = await guest("Ada");
    const { intention } = (await ada.request("POST", "/api/spaces/@intraliminal/intentions", { content: "bare" })).body;
    expect((await ada.request("PATCH", `/api/intentions${intention.id}`, { state: "paused" })).body.intention.state).toBe("paused");
  });
});

describe("round trips", () => {
  it("every write reaches the database in exactly one request, change row and seq included", async () => {
    const ada = await guest("Ada");
    const room = await space(ada);
    const spy = vi.spyOn(globalThis, "fetch");
    const count = () => spy.mock.calls.filter(([input]) => String(input instanceof Request ? input.url : input) === env.NEON_HTTP_ENDPOINT).length;
    const writes: Array<[string, string, unknown?]> = [
      ["POST", `/api/spaces/${room.id}/intentions`, { content: "one" }],
      ["POST", `/api/spaces/${room.id}/enter`],
      ["PATCH", `/api/beings/${ada.id}`, { name: "Ada 2" }],
      ["POST", "/api/beings", { name: "Bot", type: "bot", locationId: room.id }],
    ];
    const perWrite: number[] = [];
    for (const [method, path, body] of writes) {
      const before = count();
      const reply = await ada.request(method, path, body);
      expect(reply.status).toBeLessThan(300);
      perWrite.push(count() - before);
    }
    const created = (await ada.request("POST", `/api/spaces/${room.id}/intentions`, { content: "two" })).body.intention;
    for (const [method, body] of [["PATCH", { content: "2" }], ["DELETE", undefined]] as const) {
      const before = count();
      await ada.request(method, `/api/intentions/${encodeURIComponent(created.id)}`, body);
      perWrite.push(count() - before);
    }
    expect(perWrite).toEqual([1, 1, 1, 1, 1, 1]);
  });
});
