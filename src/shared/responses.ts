/**
 * Bodies of the API's responses that code on either side names: the worker's queries build them, the web's
 * sync and pages hold them. The web client does not read them by hand: api.ts takes each body's type from
 * its route (hc<AppType>) and checks it against these; a body nothing names is left to the route alone.
 */
import type { Being, BeingId, Intention, IntentionId, NotificationKind } from "./entities.ts";
import type { SignedBatch } from "./signing.ts";
import type { Change } from "./sync.ts";

/** GET /api/spaces/:id: the rows and the seq they are exactly current to. */
/**
 * What the viewer may do in a space, as the rulebook answers it: given with the snapshot and with every
 * page of changes, so a page restored from its cache or told the space changed learns them again.
 */
export interface SpaceFacts {
  /** What the viewer may remove here (removal_rights), for the page to offer exactly that. */
  moderation?: Moderation;
  /** The viewer may change the space (rename it, its members, hand it over, delete it): may_change_being's answer. */
  mayManage?: boolean;
}

export interface SpaceSnapshot extends SpaceFacts {
  space: Being;
  beings: Being[];
  intentions: Intention[];
  hasMore: boolean;
  seq: number;
  /**
   * Who was here lately, beyond LiveKit's live participant list: when each being located here was
   * last connected to the room (now, for one connected), and how long an absent being stays listed
   * (AWAY_LISTED_SECONDS).
   */
  presence: { lastSeen: Record<BeingId, Date>; awayListedSeconds: number };
}

/**
 * Whose messages the viewer may remove in a space: any (the space's owner, a superuser), else those
 * owned by the listed beings (the viewer itself and its bots). DELETE /api/intentions/:id decides by the same facts.
 */
export interface Moderation {
  removeAny: boolean;
  removeOwnedBy: BeingId[];
}

/** GET /api/spaces/:id/changes */
export interface ChangesPage extends SpaceFacts {
  changes: Change[];
  seq: number;
  hasMore: boolean;
}

/** GET /api/spaces/:id/intentions */
export interface HistoryPage {
  intentions: Intention[];
  hasMore: boolean;
}

/**
 * What a write that appends changes answers besides its body: per space it appended to, the signed batch
 * of exactly those changes (empty when it wrote nothing), for a writer in the room to relay.
 */
export interface Relayable {
  sync: SignedBatch[];
}

/** POST /api/spaces/:id/intentions, PATCH /api/intentions/:id, and PUT and DELETE /api/intentions/:id/reactions/:emoji */
export interface WriteResult extends Relayable {
  intention: Intention;
  seq: number;
}

/** POST /api/beings, PATCH /api/beings/:id and POST /api/spaces/:id/enter */
export interface BeingWriteResult extends Relayable {
  being: Being;
}

/** GET /api/me: the signed-in being, and whether it is a superuser (by its properties or by SUPERUSER_IDS). */
export interface Me {
  being: Being;
  superuser: boolean;
}

/** GET /api/beings/:id: a being the caller may see, and (addition) whether it is a superuser, in Me's shape. */
export type BeingRead = Me;

/**
 * The sync pipeline's counters: `calls` (LiveKit server API requests), `batches` (payloads broadcast),
 * `changes` and `bytes` in them, `empty_rooms` (confirmed without a call), `deferred` (turns that
 * waited for the budget), `rate_limited` (429s from LiveKit), `failures`, `retries`, `sweeper_resends`,
 * `relayed` (changes their writers published themselves: confirmed without sending them again).
 */
export type CounterName =
  | "calls"
  | "batches"
  | "changes"
  | "bytes"
  | "empty_rooms"
  | "deferred"
  | "rate_limited"
  | "failures"
  | "retries"
  | "sweeper_resends"
  | "relayed";

/** Counters by name; a counter that never moved is absent. */
export type Counters = Partial<Record<CounterName, number>>;

/** One minute of the pipeline, for the operator's charts. */
export interface SyncMinute {
  minute: Date;
  counters: Counters;
  /** Gauges sampled by the sweeper; null for a minute it did not run. */
  pending: number | null;
  /** Null also when nothing was pending. */
  oldestPendingSeconds: number | null;
  occupiedRooms: number | null;
}

/**
 * One minute of receivers' health reports (POST /api/sync/health), all spaces summed: how sync reached the
 * people in the rooms. Counts are batches or events as the receivers counted them.
 */
export interface ReceiverMinute {
  minute: Date;
  reports: number;
  /** Batches applied as they came through the room (a page's own writes not counted). */
  applied: number;
  /** Of those, the ones a participant sent: relayed by their writer rather than broadcast by the server. */
  relayed: number;
  /** relayed / applied; null when no batch was applied. */
  relayedShare: number | null;
  duplicates: number;
  /** Packets dropped unverified: a forger or a flood shows up here. */
  rejected: number;
  gaps: number;
  catchUps: number;
  polls: number;
  reconnects: number;
  /**
   * Commit → apply lag in ms as receivers saw it: the median of the reports' p50 and the 99th percentile of
   * their p99, each to within a fifth (log buckets); null when no report measured any.
   */
  lagP50Ms: number | null;
  lagP99Ms: number | null;
}

/** GET /api/admin/stats (superusers only) */
export interface SyncStats {
  /** When the figures were read, by the database's clock: `minutes` ends at this minute. */
  at: Date;
  /** Running totals since the database was made. */
  counters: Counters;
  /** Unconfirmed changes now: spaces with any, their sum and the largest, the oldest one's age. */
  lag: { spaces: number; changes: number; maxChanges: number; oldestSeconds: number | null };
  /** callsPerMinute 0 = unlimited; blockedUntil: a 429's Retry-After still running. */
  budget: { callsPerMinute: number; callsThisMinute: number; blockedUntil: Date | null };
  rooms: { occupied: number };
  /** The change log's rows and bytes on disk (with indexes). */
  log: { changes: number; bytes: number };
  /** The last hour, oldest first, one entry per minute that had activity or a sweeper sample. */
  minutes: SyncMinute[];
  /** The receivers' side of the last hour, oldest first, one entry per minute that had a report. */
  receivers: ReceiverMinute[];
  /** Connections whose data publishing the server took back, in force or ended within the hour. */
  revocations: Revocation[];
}

/** POST /api/spaces/:id/muted: a being's data publishing in a space's room, taken back until `until`. */
export interface Revocation {
  space: BeingId;
  /** The connection a receiver muted. */
  identity: string;
  revokedAt: Date;
  until: Date;
  /** LiveKit took the permission from that connection at once (else only its being's next tokens lack it). */
  applied: boolean;
}

/** GET /api/auth/sessions: one signed-in device of the caller's being. `id` is public (never the cookie's secret). */
export interface DeviceSession {
  id: string;
  /** The browser, from its User-Agent at sign-in ("Chrome on Linux"). */
  label: string;
  createdAt: Date;
  /** When the app last opened with this session. */
  lastUsedAt: Date;
  /** The session of the request that asked. */
  current: boolean;
}

/** GET /api/auth/passkeys: one passkey of the caller's being. */
export interface PasskeyInfo {
  /** The WebAuthn credential id, base64url. */
  id: string;
  /** Where it was registered ("Chrome on macOS"). */
  label: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

/** GET /api/auth/identities: one sign-in provider account linked to the caller's being (its subject stays on the server). */
export interface IdentityInfo {
  provider: string;
  /** The provider's display name, or its id when it is no longer configured. */
  name: string;
  createdAt: Date;
}

/** A hit's text around the match: plain text, and the ranges of `text` that matched, `end` exclusive (never markup). */
export interface Snippet {
  text: string;
  marks: { start: number; end: number }[];
}

/** One message found by GET /api/search/intentions: where it was said, by whom, when, and the match. */
export interface IntentionHit {
  id: IntentionId;
  space: { id: BeingId; name: string };
  /** `name` null when the caller may not see the author (it has moved into a private space since). */
  author: { id: BeingId; name: string | null };
  at: Date;
  snippet: Snippet;
}

/** GET /api/search/intentions: best match first; `next` is the cursor of the following page, null at the end. */
export interface IntentionSearchPage {
  hits: IntentionHit[];
  next: string | null;
}

/** GET /api/bots/models: the provider's model ids, and which key a bot would use. */
export interface BotModels {
  models: string[];
  /** Whose key listed them: the bot's own, the server's default, or none. */
  key: "own" | "default" | "none";
  /** The server's default key for bots without one, and what it spends a day per person; null when it has none. */
  defaultKey: { tokensPerPersonPerDay: number } | null;
}

/** One notification in GET /api/notifications: what happened, in which message, where, by whom. */
export interface InboxItem {
  id: number;
  kind: NotificationKind;
  at: Date;
  read: boolean;
  /** The message (intention) it is about: open it at `/<space>?message=<intention>`. */
  intention: IntentionId;
  space: { id: BeingId; name: string };
  /** `name` null when the caller may not see the author. */
  author: { id: BeingId; name: string | null };
  /** The start of the message's text (plain text, never markup). */
  snippet: string;
}

/** GET /api/notifications: newest first; `next` is the `before` of the following page (null at the end); `unread` counts at most INBOX_UNREAD_CAP. */
export interface InboxPage {
  notifications: InboxItem[];
  unread: number;
  next: number | null;
}

/**
 * One's own state of a space (space_reads): GET /api/spaces/:id/read. `readSeq` is null until one first reads
 * the space (counts start then); `firstUnread` is the oldest message by others created after it, where the
 * page draws its "New" line.
 */
export interface SpaceRead {
  readSeq: number | null;
  firstUnread: IntentionId | null;
  muted: boolean;
}

/**
 * GET /api/spaces, signed in: per listed space, messages by others created after one's read point (none
 * counted before one first reads the space) and those of them that mention one, each capped at
 * UNREAD_COUNT_CAP; and whether one muted it.
 */
export interface UnreadCounts {
  unread: number;
  mentions: number;
  muted: boolean;
}

/** Counts stop here: the list shows "99+" and a count never costs more than this many rows a space. */
export const UNREAD_COUNT_CAP = 100;

/** GET /api/spaces; `unread` (by space id) only for a signed-in caller. */
export interface SpaceList {
  spaces: Being[];
  unread?: Record<BeingId, UnreadCounts>;
}
