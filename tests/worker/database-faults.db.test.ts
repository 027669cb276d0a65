/**
 * The database failing underneath a request: every way Neon's HTTP endpoint can fail to serve one
 * answers 503 UNAVAILABLE with Retry-After, and a write retried once it answers again is stored once.
 * The faults are played at the network edge (the SQL endpoint's fetch), because a real server cannot
 * be made to answer "starting up" or Neon's own 500 on demand; tests/integration/database-outage
 * stops and pauses the real PostgreSQL.
 */
import { env } from "cloudflare:test";
import { sql } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { newIntentionId } from "../../src/shared/ids.ts";
import { QUERY_TIMEOUT_MS } from "../../src/worker/db/bounded-fetch.ts";
import { type Client, db, guest, type Reply } from "./client.ts";

type Fault = (init: RequestInit | undefined, original: typeof fetch) => Promise<Response> | Response;

/** Neon's error body (what the driver reads a SQLSTATE from). */
const neonError = (status: number, code: string, message: string) =>
  Response.json({ message, code, severity: "FATAL" }, { status });

// Port 1 on loopback: nothing listens there, so the connection is refused for real.
const refused: Fault = (init, original) => original("http://127.0.0.1:1/sql", init);

const faults: Record<string, Fault> = {
  "the SQL endpoint refuses the connection": refused,
  "Neon cannot reach or wake the compute (500)": () => neonError(500, "", "Couldn't connect to compute node"),
  "a gateway in front of Neon answers 502": () => new Response("<html>Bad gateway</html>", { status: 502 }),
  "PostgreSQL is shutting down (57P01)": () => neonError(400, "57P01", "terminating connection due to administrator command"),
  "PostgreSQL crashed (57P02)": () => neonError(400, "57P02", "terminating connection because of crash of another server process"),
  "PostgreSQL is starting up (57P03)": () => neonError(400, "57P03", "the database system is starting up"),
  "the connection to PostgreSQL failed (08006)": () => neonError(400, "08006", "connection failure"),
};

/** Makes every query fail with `fault` until the test ends; other outbound requests pass. */
function breakDatabase(fault: Fault) {
  const original = globalThis.fetch;
  return vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    return url === env.NEON_HTTP_ENDPOINT ? fault(init, original) : original(input as RequestInfo, init);
  });
}

/** The contract's 503: its exact error shape, a Retry-After in seconds, and no internals. */
function expectUnavailable(reply: Reply): void {
  expect(reply.status).toBe(503);
  expect(reply.headers.get("Retry-After")).toMatch(/^[1-9]\d*$/);
  expect(Object.keys(reply.body)).toEqual(["error"]);
  expect(reply.body.error).toEqual({ code: "UNAVAILABLE", message: expect.any(String), details: { requestId: expect.any(String) } });
  expect(reply.body.error.message).not.toMatch(/compute|gateway|ECONN|refused|127\.0\.0\.1|57P0|08006|HTTP status|sql|stack|at /i);
}

let ada: Client;
beforeAll(async () => {
  ada = await guest("Ada");
});
afterEach(() => vi.restoreAllMocks());

const post = (id: string, text: string) => ada.request("POST", "/api/spaces/@intraliminal/intentions", { id, content: text });
const stored = (id: string) => db<{ id: string }>(sql`SELECT id FROM intentions WHERE id = ${id}`);

describe("when the database cannot serve a request", () => {
  it.each(Object.entries(faults))("%s: reads and writes answer 503 UNAVAILABLE with Retry-After", async (_name, fault) => {
    const id = newIntentionId();
    breakDatabase(fault);
    expectUnavailable(await ada.request("GET", "/api/spaces/@intraliminal"));
    expectUnavailable(await ada.request("GET", "/api/me"));
    expectUnavailable(await post(id, "written while the database is away"));

    vi.restoreAllMocks();
    expect(await stored(id)).toEqual([]);
    const retried = await post(id, "written while the database is away");
    expect(retried.status).toBe(201);
    expect(await stored(id)).toEqual([{ id }]);
  });

  it("a database that does not answer at all answers 503 once the query's time bound has passed", async () => {
    breakDatabase((init) => new Promise((_resolve, reject) => init?.signal?.addEventListener("abort", () => reject(init.signal!.reason))));
    const started = Date.now();
    const reply = await ada.request("GET", "/api/spaces/@intraliminal");
    const elapsed = Date.now() - started;
    expectUnavailable(reply);
    expect(elapsed).toBeGreaterThanOrEqual(QUERY_TIMEOUT_MS - 50);
    expect(elapsed).toBeLessThan(QUERY_TIMEOUT_MS + 2_000);
  }, QUERY_TIMEOUT_MS + 10_000);

  it("a statement's own error is still ours: 500 INTERNAL, without Retry-After", async () => {
    for (const fault of [() => neonError(400, "42P01", "relation does not exist"), () => new Response("too large", { status: 507 })]) {
      breakDatabase(fault);
      const reply = await ada.request("GET", "/api/spaces/@intraliminal");
      expect(reply.status).toBe(500);
      expect(reply.body.error.code).toBe("INTERNAL");
      expect(reply.headers.get("Retry-After")).toBeNull();
      vi.restoreAllMocks();
    }
  });
});
