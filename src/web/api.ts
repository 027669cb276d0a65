/** The one typed API client: every call to /api goes through here (Hono's `hc<AppType>`). */
import { hc, type ClientResponse } from "hono/client";
import type { Being, BeingId, Intention, IntentionId } from "../shared/entities.ts";
import { decodeDates, type Decoded } from "../shared/dates.ts";
import { ApiError, codeForStatus, ERROR_STATUS, type ErrorCode } from "../shared/errors.ts";
import { retryAfterSeconds } from "../shared/retry-after.ts";
import { backoff, type Backoff } from "./sync/backoff.ts";
import type { z } from "zod";
import type { BeingCreate, BeingPatch, intentionCreate, intentionPatch, SEARCHABLE_BEING_TYPES, SyncHealthReport } from "../shared/schemas.ts";
import type { BeingRead, ChangesPage, HistoryPage, Me, SpaceSnapshot, SyncStats, WriteResult } from "../shared/responses.ts";
import type { AppType } from "../worker/app.ts";

/** The request never reached the server (offline, DNS, connection reset): safe to retry later. */
export class OfflineError extends Error {
  constructor(cause: unknown) {
    super("You appear to be offline", { cause });
    this.name = "OfflineError";
  }
}

/** True when a failed call may succeed unchanged later: no network, or the server asked us to wait. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof OfflineError) return true;
  return error instanceof ApiError && (error.code === "UNAVAILABLE" || error.code === "RATE_LIMITED");
}

/** Resolves after `ms`, or sooner, as soon as the browser comes back online. */
function nextTry(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const go = () => {
      clearTimeout(timer);
      removeEventListener("online", go);
      resolve();
    };
    const timer = setTimeout(go, ms);
    addEventListener("online", go);
  });
}

/**
 * Runs `load` until it answers; a failure that may pass is tried again, any other is thrown. Whatever a
 * page fetches once (the spaces list, a name, who is signed in) and could not fetch because the network
 * was down is so fetched again when it is back: at once when the browser says it is online again, and
 * after growing delays in case it never says so.
 */
export async function untilLoaded<T>(load: () => Promise<T>, delays: Backoff = backoff(1_000, 30_000)): Promise<T> {
  for (;;) {
    try {
      return await load();
    } catch (error) {
      if (!isRetryable(error)) throw error;
      await nextTry(delays.next());
    }
  }
}

// Content goes as a node list (what a plain string becomes on the server anyway), which is valid input
// whether the route types its body by the schema's input or its output.
type IntentionCreate = z.output<typeof intentionCreate>;
type IntentionPatch = z.output<typeof intentionPatch>;

// The session lives in an HttpOnly cookie; same-origin requests also carry Origin, which the
// server's CSRF check needs on every mutating call.
/** The typed client; modules fetched on demand (src/web/account/api.ts) call through it too. */
export const client = hc<AppType>("/", { init: { credentials: "same-origin" } });

/** What a successful response's body is, by the route that answers it (hc types dates as strings); undefined without one. */
type JsonBody<R> = R extends ClientResponse<infer T, number, infer F> ? (F extends "json" ? T : undefined) : never;

/** What `call` reads of a response (hc's ClientResponse and fetch's Response both have it). */
type HttpResponse = Pick<Response, "ok" | "status" | "statusText" | "headers" | "text">;

/** Sends one request and returns its body with its dates decoded, or throws ApiError / OfflineError. */
export async function call<R extends HttpResponse>(request: () => Promise<R>): Promise<Decoded<JsonBody<R>>> {
  let response: HttpResponse;
  try {
    response = await request();
  } catch (error) {
    throw new OfflineError(error);
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // A proxy's HTML error page or a truncated body: keep the status, drop the text.
    body = undefined;
  }
  if (response.ok) return decodeDates(body as JsonBody<R>);
  const wait = retryAfterSeconds(response.headers.get("Retry-After"));
  const error = (body as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
  if (error && typeof error.code === "string" && error.code in ERROR_STATUS) {
    throw new ApiError(error.code as ErrorCode, error.message ?? response.statusText, error.details, wait);
  }
  throw new ApiError(codeForStatus(response.status), `The server answered ${response.status}`, undefined, wait);
}

// Intention ids begin with "/", being ids with "@": both go into the path encoded.
const param = (id: string) => ({ id: encodeURIComponent(id) });

/** Creates a guest being and signs in as it (sets the session cookie). */
export async function signInGuest(name: string): Promise<Being> {
  return (await call(() => client.api.auth.guest.$post({ json: { name } }))).being;
}

/** Ends the session. */
export async function signOut(): Promise<void> {
  await call(() => client.api.auth.signout.$post());
}

/** The signed-in being and whether it is a superuser, or null when there is no session. */
export async function getMe(): Promise<Me | null> {
  try {
    return await call(() => client.api.me.$get());
  } catch (error) {
    if (error instanceof ApiError && error.code === "UNAUTHENTICATED") return null;
    throw error;
  }
}

/** One being by id, and whether it is a superuser. */
export function getBeing(id: BeingId): Promise<BeingRead> {
  return call(() => client.api.beings[":id"].$get({ param: param(id) }));
}

/** Spaces the caller may enter: private ones it belongs to first, then public ones. */
export async function listSpaces(): Promise<Being[]> {
  return (await call(() => client.api.spaces.$get())).spaces;
}

/** Creates a being (a space or a bot, for the app) owned by the caller. */
export async function createBeing(input: BeingCreate): Promise<Being> {
  return (await call(() => client.api.beings.$post({ json: input }))).being;
}

/** Changes a being's name, location, properties or content. */
export async function patchBeing(id: BeingId, patch: BeingPatch): Promise<Being> {
  return (await call(() => client.api.beings[":id"].$patch({ param: param(id), json: patch }))).being;
}

/** Deletes a being (a bot, for the app) the caller owns. */
export async function deleteBeing(id: BeingId): Promise<void> {
  await call(() => client.api.beings[":id"].$delete({ param: param(id) }));
}

/** A space with the beings in it, its newest intentions and its latest change seq. */
export function getSpace(id: BeingId): Promise<SpaceSnapshot> {
  return call(() => client.api.spaces[":id"].$get({ param: param(id) }));
}

/** Older history: intentions before `before`, ascending. */
export function getHistory(id: BeingId, before: IntentionId | undefined, limit = 50): Promise<HistoryPage> {
  const query = before ? { before, limit: String(limit) } : { limit: String(limit) };
  return call(() => client.api.spaces[":id"].intentions.$get({ param: param(id), query }));
}

/** Every change after `after`, ascending (catch-up); follow `hasMore`. */
export function getChanges(id: BeingId, after: number, limit = 500): Promise<ChangesPage> {
  return call(() =>
    client.api.spaces[":id"].changes.$get({ param: param(id), query: { after: String(after), limit: String(limit) } }),
  );
}

/** Moves the caller's being into the space, so others see them arrive. */
export async function enterSpace(id: BeingId): Promise<Being> {
  return (await call(() => client.api.spaces[":id"].enter.$post({ param: param(id) }))).being;
}

/** A LiveKit token for the space's room. */
export function getSyncToken(id: BeingId) {
  return call(() => client.api.spaces[":id"].token.$post({ param: param(id) }));
}

/** The public keys that sign sync packets. */
export async function getSyncKeys() {
  return (await call(() => client.api.sync.keys.$get())).keys;
}

/** Request options a write may carry: its headers (`Sync-Relay`, src/web/sync/relay.ts). */
export interface WriteOptions {
  headers: Record<string, string>;
}

/** Says something in a space; a repeat of the same id is idempotent. */
export function postIntention(spaceId: BeingId, input: IntentionCreate, options?: WriteOptions): Promise<WriteResult> {
  return call(() => client.api.spaces[":id"].intentions.$post({ param: param(spaceId), json: input }, options));
}

/** Edits an intention's content or state. */
/** One message, if I may read it (NOT_FOUND when it was deleted or is not mine to read). */
export async function getIntention(id: IntentionId): Promise<Intention> {
  return (await call(() => client.api.intentions[":id"].$get({ param: param(id) }))).intention;
}

export function patchIntention(id: IntentionId, patch: IntentionPatch, options?: WriteOptions): Promise<WriteResult> {
  return call(() => client.api.intentions[":id"].$patch({ param: param(id), json: patch }, options));
}

/** Deletes an intention; answers whatever body the server sent (see `syncOf` in src/web/sync/relay.ts). */
export function deleteIntention(id: IntentionId, options?: WriteOptions): Promise<unknown> {
  return call(() => client.api.intentions[":id"].$delete({ param: param(id) }, options));
}

/** Adds (`on`) or takes back my reaction `emoji` to an intention; a repeat changes nothing. */
export function react(id: IntentionId, emoji: string, on: boolean, options?: WriteOptions): Promise<WriteResult> {
  const reaction = client.api.intentions[":id"].reactions[":emoji"];
  const input = { param: { ...param(id), emoji: encodeURIComponent(emoji) } };
  return call(() => (on ? reaction.$put(input, options) : reaction.$delete(input, options)));
}

/** Confirms that this page published every relay batch of its own writes in the space up to seq `to`. */
export async function confirmRelayed(spaceId: BeingId, to: number): Promise<void> {
  await call(() => client.api.spaces[":id"].relayed.$post({ param: param(spaceId), json: { to } }));
}

/** Reports a room connection this page muted for junk or forged sync packets: the server takes its data publishing back. */
export async function reportMutedConnection(spaceId: BeingId, identity: string): Promise<void> {
  await call(() => client.api.spaces[":id"].muted.$post({ param: param(spaceId), json: { identity } }));
}

/** Sends a receivers' health report, `keepalive` so it outlives a page that is going away. */
export async function sendHealthReport(report: SyncHealthReport): Promise<void> {
  await call(() => client.api.sync.health.$post({ json: report }, { init: { keepalive: true } }));
}

/** The sync pipeline's figures and its last hour by minute; FORBIDDEN unless the caller is a superuser. */
export function getSyncStats(): Promise<SyncStats> {
  return call(() => client.api.admin.stats.$get());
}

/** The sign-in providers the server is configured with (none: only guests and passkeys). */
export async function listProviders() {
  return (await call(() => client.api.auth.providers.$get())).providers;
}

/** Begins a sign-in at a provider (`attach`: link it to the signed-in being); answers the URL to go to. */
export async function startProviderSignIn(provider: string, attach: boolean): Promise<string> {
  return (await call(() => client.api.auth.oidc[":provider"].start.$post({ param: { provider }, json: { attach } }))).url;
}

/** Beings the caller may see whose name contains `q`: exact and prefix matches first; optionally one type. */
export async function searchBeings(q: string, type?: (typeof SEARCHABLE_BEING_TYPES)[number], limit = 20): Promise<Being[]> {
  const query = { q, limit: String(limit), ...(type ? { type } : {}) };
  return (await call(() => client.api.search.beings.$get({ query }))).beings;
}

/** Messages with these words in the spaces the caller may read, best match first; pass `next` back for more. */
export function searchIntentions(q: string, before?: string, limit = 20) {
  const query = { q, limit: String(limit), ...(before ? { before } : {}) };
  return call(() => client.api.search.intentions.$get({ query }));
}

/** Hands a being (a bot, a space) over to another person (POST /api/beings/:id/owner). */
export async function handOver(id: BeingId, ownerId: BeingId, ifVersion?: number): Promise<Being> {
  return (await call(() => client.api.beings[":id"].owner.$post({ param: param(id), json: { ownerId, ifVersion } }))).being;
}

/** The provider's models for a bot's form (`bot`: listed with that bot's key; absent: a new bot, with the server's). */
export function listBotModels(bot?: BeingId) {
  return call(() => client.api.bots.models.$get({ query: bot ? { bot } : {} }));
}

// Unread and mute (issue 20): the space list's counts, one's read point and mute per space.

/** The spaces the caller may enter and, signed in, its unread and mention counts and mutes per space. */
export function getSpaceList() {
  return call(() => client.api.spaces.$get());
}

/** One's read point in a space, the message the "New" line goes above, and whether one muted the space. */
export function getSpaceRead(id: BeingId) {
  return call(() => client.api.spaces[":id"].read.$get({ param: param(id) }));
}

/** A read point: a seq of the space's change log, or through a message of the space. */
export type ReadUpTo = { seq: number } | { through: IntentionId };

/**
 * Moves one's read point in a space forward to `upTo`: a seq, or `through` a message of the space (the server never
 * moves it back); `by`: this page's room connection, which needs no notice of it. Answers where the read point is.
 */
export async function markSpaceRead(id: BeingId, upTo: ReadUpTo, by?: string): Promise<number> {
  return (await call(() => client.api.spaces[":id"].read.$post({ param: param(id), json: by ? { ...upTo, by } : upTo }))).readSeq;
}

/** Mutes or unmutes a space for the caller: its counts shown quietly, no notifications from it. */
export async function setSpaceMuted(id: BeingId, muted: boolean): Promise<void> {
  await call(() => client.api.spaces[":id"].mute.$put({ param: param(id), json: { muted } }));
}
