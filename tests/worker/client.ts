/** Test helpers: an HTTP client with a cookie jar that calls the worker in-process, and direct SQL. */
import { env, SELF } from "cloudflare:test";
import { sql, type SQL } from "drizzle-orm";
import { serializeSigned } from "hono/utils/cookie";
import type { Being, BeingId } from "../../src/shared/entities.ts";
import { newBeingId } from "../../src/shared/ids.ts";
import { createDb, query } from "../../src/worker/db/client.ts";
import { WORKER_ORIGIN } from "../support/oidc-client.ts";

export const ORIGIN = WORKER_ORIGIN;

export interface Reply<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** Keeps the cookies a response sets in `jar`, by name (attributes dropped; an emptied cookie is removed). */
export function storeCookies(jar: Map<string, string>, headers: Headers): void {
  for (const line of headers.getSetCookie()) {
    const pair = line.split(";")[0]!;
    const name = pair.slice(0, pair.indexOf("="));
    const value = pair.slice(pair.indexOf("=") + 1);
    if (value) jar.set(name, value);
    else jar.delete(name);
  }
}

/** The cookies in `jar` as a Cookie header's value. */
export function cookieHeader(jar: Map<string, string>): string {
  return [...jar].map(([name, value]) => `${name}=${value}`).join("; ");
}

/** A browser-like caller: keeps its session cookie and sends the app's own Origin. */
export class Client {
  /** Cookies by name, as the server set them (attributes dropped; an emptied cookie is removed). */
  readonly jar = new Map<string, string>();
  being: Being | null = null;

  /** The session cookie as a `name=value` pair, or null. */
  get cookie(): string | null {
    const value = this.jar.get("session");
    return value === undefined ? null : `session=${value}`;
  }

  set cookie(pair: string | null) {
    if (pair === null) this.jar.delete("session");
    else this.jar.set("session", pair.slice(pair.indexOf("=") + 1));
  }
  /** Each client is its own address, so sign-ins are not rate-limited as one caller. */
  readonly address = `10.${Math.floor(Math.random() * 255)}.${Math.floor(Math.random() * 255)}.${Math.floor(Math.random() * 255)}`;

  /** Sends a request; `body` objects are sent as JSON, strings as they are. */
  async request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> {
    const init: RequestInit = { method, headers: { Origin: ORIGIN, "CF-Connecting-IP": this.address, ...headers } };
    if (this.jar.size > 0) (init.headers as Record<string, string>).Cookie = cookieHeader(this.jar);
    if (body !== undefined) {
      init.body = typeof body === "string" ? body : JSON.stringify(body);
      (init.headers as Record<string, string>)["Content-Type"] ??= "application/json";
    }
    const response = await SELF.fetch(`${ORIGIN}${path}`, { ...init, redirect: "manual" });
    storeCookies(this.jar, response.headers);
    const text = await response.text();
    const json = response.headers.get("Content-Type")?.startsWith("application/json");
    return { status: response.status, body: text && json ? JSON.parse(text) : text || null, headers: response.headers };
  }

  get id(): BeingId {
    return this.being!.id;
  }
}

/** Signs in a new guest. */
export async function guest(name = "Ada"): Promise<Client> {
  const client = new Client();
  const reply = await client.request("POST", "/api/auth/guest", { name });
  if (reply.status !== 201) throw new Error(`guest sign-in failed: ${reply.status} ${JSON.stringify(reply.body)}`);
  client.being = reply.body.being;
  return client;
}

/** Runs SQL directly against the test database (for set-up and for checking what was written). */
export function db<Row = Record<string, unknown>>(statement: SQL): Promise<Row[]> {
  return query<Row>(createDb(env), statement);
}

/** A guest made superuser the way an operator would: properties.superuser set in the database. */
export async function superuser(name = "Root"): Promise<Client> {
  const client = await guest(name);
  await db(sql`UPDATE beings SET properties = '{"superuser": true}' WHERE id = ${client.id}`);
  return client;
}

/** A signed session cookie for any being id (as if it had signed in), e.g. one named in SUPERUSER_IDS. */
export async function sessionFor(beingId: BeingId): Promise<Client> {
  const sessionId = crypto.randomUUID();
  await db(sql`INSERT INTO sessions (id, being_id, expires_at) VALUES (${sessionId}, ${beingId}, now() + interval '1 hour')`);
  const client = new Client();
  client.cookie = (await serializeSigned("session", sessionId, env.SESSION_SECRET)).split(";")[0]!;
  client.being = (await client.request("GET", "/api/me")).body.being;
  return client;
}

/** A fresh space owned by `owner`, optionally private with members. */
export async function space(owner: Client, options: { private?: boolean; members?: BeingId[] } = {}): Promise<Being> {
  const properties = options.private ? { private: true, members: options.members ?? [] } : {};
  const reply = await owner.request("POST", "/api/beings", { id: newBeingId("space"), name: "A space", type: "space", properties });
  if (reply.status !== 201) throw new Error(`space creation failed: ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body.being;
}

/** Waits out the last seconds of a minute, so that what a test writes and reads falls in one minute. */
export async function clearOfMinuteEnd(): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 3_000) await new Promise((resolve) => setTimeout(resolve, left + 100));
}

/** A snapshot of every row a test could have changed, to prove a rejected request changed nothing. */
export async function databaseFingerprint(): Promise<string> {
  const [row] = await db<{ fingerprint: string }>(sql`SELECT md5(
      (SELECT coalesce(string_agg(b::text, ',' ORDER BY b.id), '') FROM beings b) ||
      (SELECT coalesce(string_agg(i::text, ',' ORDER BY i.id), '') FROM intentions i) ||
      (SELECT coalesce(string_agg(c::text, ',' ORDER BY c.space_id, c.seq), '') FROM changes c) ||
      -- A session's last use is bookkeeping (GET /api/me moves it), not a change a request could be refused for.
      (SELECT coalesce(string_agg((s.id, s.being_id, s.created_at, s.expires_at, s.public_id, s.user_agent)::text, ',' ORDER BY s.id), '') FROM sessions s) ||
      (SELECT coalesce(string_agg(p::text, ',' ORDER BY p.id), '') FROM passkeys p) ||
      (SELECT coalesce(string_agg(i::text, ',' ORDER BY i.provider, i.subject), '') FROM identities i)) AS fingerprint`);
  return row!.fingerprint;
}
