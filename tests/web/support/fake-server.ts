/** The network edge for web tests: a stand-in for `fetch` that answers by method and path. */
import { vi } from "vitest";
import { TEST_SYNC_KEY } from "./signed.ts";

export interface Call {
  method: string;
  /** Path and query as sent, e.g. "/api/spaces/%40s/changes?after=5&limit=500". */
  url: string;
  body: unknown;
  credentials?: RequestCredentials;
  headers: Headers;
}

type Answer = Response | Error | Promise<Response>;
type Route = (call: Call) => Answer;

/** A JSON response (dates become ISO strings, as from the Worker). */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });
}

/** The contract's error body. */
export function apiError(status: number, code: string, message = code.toLowerCase()): Response {
  return json({ error: { code, message } }, status);
}

/** What the Worker answers while the database cannot be reached: 503 UNAVAILABLE with Retry-After. */
export function databaseDown(retryAfterSeconds = 1): Response {
  const error = { code: "UNAVAILABLE", message: "the database cannot be reached: retry shortly", details: { requestId: "r-1" } };
  return json({ error }, 503, { "Retry-After": String(retryAfterSeconds) });
}

/** What `fetch` rejects with when there is no network. */
export const networkDown = () => new TypeError("Failed to fetch");

/**
 * Installs a fake fetch. Routes are keyed "METHOD /path" (query ignored); a route may answer with
 * a Response, a promise of one, or an Error to reject with. GET /api/sync/keys lists the test signing
 * key unless routed otherwise; other unrouted requests answer 404.
 */
export function fakeServer(given: Record<string, Route> = {}) {
  const routes: Record<string, Route> = { "GET /api/sync/keys": () => json({ keys: [TEST_SYNC_KEY] }), ...given };
  const calls: Call[] = [];
  const spy = vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const url = String(input);
    const text = typeof init?.body === "string" ? init.body : undefined;
    const call: Call = { method: init?.method ?? "GET", url, body: text ? JSON.parse(text) : undefined, credentials: init?.credentials, headers: new Headers(init?.headers) };
    calls.push(call);
    const route = routes[`${call.method} ${url.split("?")[0]}`];
    const answer = route ? route(call) : apiError(404, "NOT_FOUND", `no route ${call.method} ${url}`);
    if (answer instanceof Error) throw answer;
    return answer;
  });
  return {
    calls,
    routes,
    /** Calls whose "METHOD url" starts with `prefix`. */
    callsTo: (prefix: string) => calls.filter((c) => `${c.method} ${c.url}`.startsWith(prefix)),
    restore: () => spy.mockRestore(),
  };
}

/** A promise with its resolve exposed, to hold a response until the test lets it go. */
export { deferred } from "../../../src/web/scheduling.ts";
