/** The database schema. Change recording (the outbox) is done by triggers whose functions are in db/rulebook.sql. */
import { sql } from "drizzle-orm";
import { bigint, boolean, check, customType, date, doublePrecision, index, integer, jsonb, pgTable, primaryKey, text, timestamp, unique, uuid } from "drizzle-orm/pg-core";
import type { Attachment } from "../../shared/attachments.ts";
import type { BeingType, ContentNode, IntentionState, IntentionType, NotificationKind } from "../../shared/entities.ts";

/** PostgreSQL's full-text document type (message search). */
const tsvector = customType<{ data: string }>({ dataType: () => "tsvector" });

// Millisecond precision: the same as a JavaScript Date, so a row survives a JSON round trip unchanged.
const timestamps = {
  createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  modifiedAt: timestamp("modified_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
};

/** 1 on create, +1 on every update: the change-recording triggers bump it, whatever a statement sets (the ifVersion check compares it). */
const versioned = { version: integer("version").notNull().default(1) };

export const beings = pgTable(
  "beings",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    type: text("type").$type<BeingType>().notNull(),
    ownerId: text("owner_id").references((): any => beings.id, { onDelete: "set null" }),
    locationId: text("location_id").references((): any => beings.id, { onDelete: "set null" }),
    properties: jsonb("properties").$type<Record<string, unknown>>().notNull().default({}),
    content: jsonb("content").$type<ContentNode[]>().notNull().default([]),
    ...versioned,
    ...timestamps,
  },
  (t) => [
    index("beings_location_idx").on(t.locationId),
    index("beings_owner_idx").on(t.ownerId),
    index("beings_spaces_idx").on(t.name, t.id).where(sql`${t.type} = 'space'`),
    check("beings_type_check", sql`${t.type} in ('space', 'guest', 'bot', 'document')`),
  ],
);

export const intentions = pgTable(
  "intentions",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull().default(""),
    type: text("type").$type<IntentionType>().notNull().default("utterance"),
    state: text("state").$type<IntentionState>().notNull().default("complete"),
    ownerId: text("owner_id")
      .notNull()
      .references(() => beings.id, { onDelete: "cascade" }),
    locationId: text("location_id")
      .notNull()
      .references(() => beings.id, { onDelete: "cascade" }),
    content: jsonb("content").$type<ContentNode[]>().notNull(),
    /** On a bot's reply: the author of the post it answers (who may stop it). Null on every other intention. */
    askerId: text("asker_id").references((): any => beings.id, { onDelete: "set null" }),
    /** Seq of the last change to this row in its space; set by the change-recording trigger (a reaction's change does not move it). */
    seq: bigint("seq", { mode: "number" }).notNull().default(0),
    /**
     * Seq of the change that created it, set by the trigger (an edit bumps `seq`, never this): "unread" is
     * created after one's read point. 0 for rows older than read points, which are never unread.
     */
    createdSeq: bigint("created_seq", { mode: "number" }).notNull().default(0),
    /**
     * The words of its text, for message search (content_text() in db/rulebook.sql). 'simple': no stemming and
     * no stop words, because messages come in any language and the app knows none of them.
     */
    search: tsvector("search").notNull().generatedAlwaysAs(sql`to_tsvector('simple'::regconfig, content_text(content))`),
    /** The beings its content mentions (content_mentions() in db/rulebook.sql): unread mention counts, notifications, bots. */
    mentions: text("mentions").array().notNull().generatedAlwaysAs(sql`content_mentions(content)`),
    /** The message it replies to (content_reply_to()); not a foreign key: the original may be deleted and is then shown so. */
    replyTo: text("reply_to").generatedAlwaysAs(sql`content_reply_to(content)`),
    /**
     * The files it carries, as attachment_json() rendered them when it was posted (null: none). A copy on the row,
     * because the insert's change is rendered by a BEFORE trigger, before the same statement links the uploads.
     * An attached file never changes, and its row goes only with this one (a cascade), so the copy stays true.
     */
    attachments: jsonb("attachments").$type<Attachment[]>(),
    ...versioned,
    ...timestamps,
  },
  (t) => [
    index("intentions_search_idx").using("gin", t.search),
    index("intentions_mentions_idx").using("gin", t.mentions),
    index("intentions_reply_to_idx").on(t.replyTo),
    // Message search ranks the newest matches: for a word in most messages it walks back from the newest.
    index("intentions_created_idx").on(t.createdAt),
    index("intentions_location_time_idx").on(t.locationId, t.createdAt, t.id),
    index("intentions_owner_idx").on(t.ownerId),
    // Unread counts: a range of a space's messages created after a read point, the author read from the index.
    index("intentions_location_created_seq_idx").on(t.locationId, t.createdSeq, t.ownerId),
    // Bots' replies still streaming: the concurrency limits count them, the sweeper finds stale ones.
    index("intentions_active_replies_idx").on(t.locationId, t.ownerId).where(sql`${t.state} = 'active' AND ${t.askerId} IS NOT NULL`),
  ],
);

/**
 * Reactions to a message: one row per being and emoji. Not a column of the intention, so reacting is not an
 * edit (version and modifiedAt stay, an editor's ifVersion does not conflict); a trigger records each added
 * or removed row as one change of the message (reactions_record_change() in db/rulebook.sql).
 */
export const reactions = pgTable(
  "reactions",
  {
    intentionId: text("intention_id")
      .notNull()
      .references(() => intentions.id, { onDelete: "cascade" }),
    beingId: text("being_id")
      .notNull()
      .references(() => beings.id, { onDelete: "cascade" }),
    emoji: text("emoji").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.intentionId, t.beingId, t.emoji] }), index("reactions_being_idx").on(t.beingId)],
);

/**
 * Files uploaded to a space (the bytes in R2 under `a/<id>`, its preview under `a/<id>/preview`). An upload is its
 * owner's alone until a message of theirs in the same space carries it (intention_id). A row is written before
 * the bytes are read ('uploading', the declared size), so quotas count uploads in flight, and turns 'ready' once
 * the bytes are stored; nothing 'uploading' is ever served or attached. Deleting a row records its objects in
 * attachment_garbage (a trigger), so the bytes follow the row out whichever path deleted it.
 */
export const attachments = pgTable(
  "attachments",
  {
    id: text("id").primaryKey(),
    spaceId: text("space_id")
      .notNull()
      .references(() => beings.id, { onDelete: "cascade" }),
    ownerId: text("owner_id")
      .notNull()
      .references(() => beings.id, { onDelete: "cascade" }),
    intentionId: text("intention_id").references(() => intentions.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    type: text("type").notNull().default("application/octet-stream"),
    size: bigint("size", { mode: "number" }).notNull(),
    width: integer("width"),
    height: integer("height"),
    previewWidth: integer("preview_width"),
    previewHeight: integer("preview_height"),
    // The preview's type, read from its bytes (the original's is `type`): what either is served as.
    previewType: text("preview_type"),
    // Its bytes, counted in the quotas like the original's; set when they are reserved, before they are read.
    previewSize: bigint("preview_size", { mode: "number" }),
    state: text("state").$type<"uploading" | "ready">().notNull().default("uploading"),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    index("attachments_intention_idx").on(t.intentionId),
    index("attachments_owner_idx").on(t.ownerId),
    // A space's total (its quota), and the sweep of uploads never attached.
    index("attachments_space_idx").on(t.spaceId),
    index("attachments_unattached_idx").on(t.createdAt).where(sql`${t.intentionId} IS NULL`),
    check("attachments_state_check", sql`${t.state} in ('uploading', 'ready')`),
  ],
);

/** Attachments whose rows are gone and whose R2 objects are still to delete (attachments_to_garbage() in db/rulebook.sql). */
export const attachmentGarbage = pgTable("attachment_garbage", {
  attachmentId: text("attachment_id").primaryKey(),
  createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
});

/** Bytes each being uploaded each day (UTC), counted as each upload begins, kept or not: the daily quota. Pruned after a week. */
export const attachmentUsage = pgTable(
  "attachment_usage",
  {
    day: date("day").notNull(),
    beingId: text("being_id").notNull(),
    bytes: bigint("bytes", { mode: "number" }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.day, t.beingId] })],
);

/**
 * A being's own state of a space: how far it has read (a seq of the space's change log, never a time, so two
 * devices agree and it only moves forward) and whether it muted the space (no notifications from it).
 */
export const spaceReads = pgTable(
  "space_reads",
  {
    beingId: text("being_id")
      .notNull()
      .references(() => beings.id, { onDelete: "cascade" }),
    spaceId: text("space_id")
      .notNull()
      .references(() => beings.id, { onDelete: "cascade" }),
    readSeq: bigint("read_seq", { mode: "number" }).notNull().default(0),
    muted: boolean("muted").notNull().default(false),
    ...timestamps,
  },
  (t) => [primaryKey({ columns: [t.beingId, t.spaceId] }), index("space_reads_space_idx").on(t.spaceId)],
);

/** When a being was last sent a personal notice of a kind (src/worker/sync/personal-notice.ts): at most one per NOTICE_GAP_SECONDS. */
export const personalNotices = pgTable(
  "personal_notices",
  {
    beingId: text("being_id")
      .notNull()
      .references(() => beings.id, { onDelete: "cascade" }),
    kind: text("kind").notNull(),
    sentAt: timestamp("sent_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.beingId, t.kind] })],
);

/**
 * A being's notifications (the inbox), written by the intentions_notify trigger (db/rulebook.sql) with the write
 * itself, once per being, message and kind. Shown only while the being may still read the message's space.
 */
export const notifications = pgTable(
  "notifications",
  {
    /** Ascending: the inbox pages newest first by it. */
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    beingId: text("being_id")
      .notNull()
      .references(() => beings.id, { onDelete: "cascade" }),
    intentionId: text("intention_id")
      .notNull()
      .references(() => intentions.id, { onDelete: "cascade" }),
    spaceId: text("space_id")
      .notNull()
      .references(() => beings.id, { onDelete: "cascade" }),
    kind: text("kind").$type<NotificationKind>().notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    readAt: timestamp("read_at", { withTimezone: true, precision: 3 }),
    /** When the push queue took it to send to the being's devices; null while it waits. */
    pushedAt: timestamp("pushed_at", { withTimezone: true, precision: 3 }),
    /** When the sync consumer told the being's open pages (a personal notice: their inbox count); null while it waits. */
    noticedAt: timestamp("noticed_at", { withTimezone: true, precision: 3 }),
  },
  (t) => [
    unique("notifications_once").on(t.beingId, t.intentionId, t.kind),
    index("notifications_being_idx").on(t.beingId, t.id),
    index("notifications_unread_idx").on(t.beingId).where(sql`${t.readAt} IS NULL`),
    index("notifications_unpushed_idx").on(t.spaceId).where(sql`${t.pushedAt} IS NULL`),
    index("notifications_unnoticed_idx").on(t.spaceId).where(sql`${t.noticedAt} IS NULL`),
    check("notifications_kind_check", sql`${t.kind} in ('mention', 'reply', 'bot_reply')`),
  ],
);

/**
 * A bot's model provider API key, sealed with AES-GCM under BOT_SECRETS_KEY (src/worker/bots/secrets.ts).
 * Kept out of the beings row, so being_json(), the change log and every broadcast cannot carry it.
 */
export const botSecrets = pgTable("bot_secrets", {
  beingId: text("being_id")
    .primaryKey()
    .references(() => beings.id, { onDelete: "cascade" }),
  /** "v1.<iv>.<ciphertext>", base64url; the bot's id is the additional authenticated data. */
  sealed: text("sealed").notNull(),
  modifiedAt: timestamp("modified_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
});

/** Sign-in sessions; the cookie carries the id, signed. Deleting the row signs the session out. */
export const sessions = pgTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    beingId: text("being_id")
      .notNull()
      .references(() => beings.id, { onDelete: "cascade" }),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true, precision: 3 }).notNull(),
    /** The session's name in the device list: the id itself is a bearer secret and never leaves the server. */
    publicId: uuid("public_id").notNull().unique().defaultRandom(),
    /** The browser's User-Agent at sign-in (truncated), for the device list's label. */
    userAgent: text("user_agent").notNull().default(""),
    /** When the app last opened with this session (GET /api/me) or signed in with it. */
    lastUsedAt: timestamp("last_used_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [index("sessions_being_idx").on(t.beingId)],
);

/**
 * A device's Web Push subscription: one per session (the session is the device), with the kinds of notification that
 * device wants pushed, and the space it has open and visible now (nothing from there is pushed to it until then).
 */
export const pushSubscriptions = pgTable("push_subscriptions", {
  sessionId: text("session_id")
    .primaryKey()
    .references(() => sessions.id, { onDelete: "cascade" }),
  beingId: text("being_id")
    .notNull()
    .references(() => beings.id, { onDelete: "cascade" }),
  /** The push service's URL for this browser (PushSubscription.endpoint); secret, as it lets anyone push to it. */
  endpoint: text("endpoint").notNull().unique(),
  /** The browser's P-256 public key and auth secret, base64url (RFC 8291). */
  p256dh: text("p256dh").notNull(),
  auth: text("auth").notNull(),
  kinds: text("kinds").array().$type<NotificationKind[]>().notNull().default(sql`ARRAY['mention', 'reply', 'bot_reply']`),
  visibleSpaceId: text("visible_space_id"),
  visibleUntil: timestamp("visible_until", { withTimezone: true, precision: 3 }),
  ...timestamps,
}, (t) => [index("push_subscriptions_being_idx").on(t.beingId)]);

/**
 * WebAuthn credentials (passkeys): a way back into a being from any device. The credential id and the
 * COSE public key are base64url; `counter` is the authenticator's signature counter (0 when it keeps none).
 * Deleting the last way in (passkey or identity) of a being is refused by a trigger (keep_a_way_in() in db/rulebook.sql).
 */
export const passkeys = pgTable(
  "passkeys",
  {
    id: text("id").primaryKey(),
    beingId: text("being_id")
      .notNull()
      .references(() => beings.id, { onDelete: "cascade" }),
    publicKey: text("public_key").notNull(),
    counter: bigint("counter", { mode: "number" }).notNull().default(0),
    transports: jsonb("transports").$type<string[]>().notNull().default([]),
    /** Where it was made ("Chrome on Linux"), so a person can tell their passkeys apart. */
    label: text("label").notNull().default(""),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true, precision: 3 }),
  },
  (t) => [index("passkeys_being_idx").on(t.beingId)],
);

/** Accounts at sign-in providers (OpenID Connect issuers, GitHub): (provider, subject) leads to one being. */
export const identities = pgTable(
  "identities",
  {
    provider: text("provider").notNull(),
    subject: text("subject").notNull(),
    beingId: text("being_id")
      .notNull()
      .references(() => beings.id, { onDelete: "cascade" }),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.provider, t.subject] }), index("identities_being_idx").on(t.beingId)],
);

/**
 * Sign-in ceremonies under way: a WebAuthn challenge or an OpenID Connect `state`, single-use (the
 * statement that reads one deletes it) and short-lived. `beingId` is the being a passkey or identity
 * will be attached to; `data` holds an OIDC flow's provider, nonce and PKCE verifier.
 */
export const authChallenges = pgTable(
  "auth_challenges",
  {
    id: text("id").primaryKey(),
    kind: text("kind").$type<"passkey-register" | "passkey-signin" | "oidc">().notNull(),
    beingId: text("being_id").references(() => beings.id, { onDelete: "cascade" }),
    data: jsonb("data").$type<Record<string, string>>(),
    expiresAt: timestamp("expires_at", { withTimezone: true, precision: 3 }).notNull(),
  },
  (t) => [index("auth_challenges_expires_idx").on(t.expiresAt)],
);

/**
 * Per space: the last change seq committed, the last one confirmed (broadcast, or skipped because
 * nobody was in the room), whether anyone is in its LiveKit room, and how far its log was pruned.
 */
export const spaceSync = pgTable(
  "space_sync",
  {
    spaceId: text("space_id").primaryKey(),
    lastSeq: bigint("last_seq", { mode: "number" }).notNull().default(0),
    broadcastSeq: bigint("broadcast_seq", { mode: "number" }).notNull().default(0),
    broadcastAt: timestamp("broadcast_at", { withTimezone: true, precision: 3 }),
    /** Someone is in the room (from room_participants, by trigger): only then is a broadcast worth a LiveKit call. */
    occupied: boolean("occupied").notNull().default(false),
    /** First seq confirmed without a broadcast because the room was empty; a joiner gets the tail again. */
    skippedFrom: bigint("skipped_from", { mode: "number" }),
    /** When this space last took a LiveKit call from the budget (its fair share under pressure). */
    callAt: timestamp("call_at", { withTimezone: true, precision: 3 }),
    /** Every change with seq <= this may have been pruned: catch-up from before it is GONE. */
    prunedSeq: bigint("pruned_seq", { mode: "number" }).notNull().default(0),
  },
  (t) => [
    index("space_sync_lagging_idx").on(t.spaceId).where(sql`${t.lastSeq} > ${t.broadcastSeq}`),
    index("space_sync_occupied_idx").on(t.spaceId).where(sql`${t.occupied}`),
  ],
);

/**
 * Connections to each space's LiveKit room, as LiveKit's webhooks report them (identity
 * `<being>#<connection>`), and as the sweeper's ListRooms reconciles them. A row is kept after a
 * leave, so a late, out-of-order join of the same connection does not bring it back.
 */
export const roomParticipants = pgTable(
  "room_participants",
  {
    spaceId: text("space_id").notNull(),
    identity: text("identity").notNull(),
    present: boolean("present").notNull(),
    /** When the connection joined: orders its events, so an older one never overwrites a newer one. */
    at: timestamp("at", { withTimezone: true, precision: 3 }).notNull(),
    /** When LiveKit last reported on this connection (its join or its leave): "last seen" for presence. */
    seenAt: timestamp("seen_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.spaceId, t.identity] }),
    // A personal notice finds a being's connections in every room (identity `<being>#<connection>`).
    index("room_participants_being_idx").on(sql`split_part(${t.identity}, '#', 1)`).where(sql`${t.present}`),
  ],
);

/**
 * Beings whose data publishing the server took back in a space's room: a receiver there muted one of
 * their connections for forged or junk sync packets (POST /api/spaces/:id/muted). One UpdateParticipant
 * call takes it from that connection; the being's tokens for the room leave it out until `until`.
 */
export const publishRevocations = pgTable(
  "publish_revocations",
  {
    spaceId: text("space_id").notNull(),
    beingId: text("being_id").notNull(),
    /** The connection receivers muted. */
    identity: text("identity").notNull(),
    revokedAt: timestamp("revoked_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    until: timestamp("until", { withTimezone: true, precision: 3 }).notNull(),
    /** LiveKit took the permission from the live connection (false: the budget or LiveKit refused; new tokens still leave it out). */
    applied: boolean("applied").notNull().default(false),
  },
  (t) => [primaryKey({ columns: [t.spaceId, t.beingId] }), index("publish_revocations_until_idx").on(t.until)],
);

/** A LiveKit project's API budget as a token bucket (one row per API key, locked for each take). */
export const livekitBudget = pgTable("livekit_budget", {
  project: text("project").primaryKey(),
  tokens: doublePrecision("tokens").notNull(),
  // Microseconds: rounding the refill time to milliseconds credited time twice under contention.
  refilledAt: timestamp("refilled_at", { withTimezone: true, precision: 6 }).notNull().defaultNow(),
  /** A 429's Retry-After: no call until then. */
  blockedUntil: timestamp("blocked_until", { withTimezone: true, precision: 6 }),
});

/** The outbox: one row per change per touched space, gap-free seq per space, written by triggers. */
/** PostgreSQL's 64-bit transaction id (pg_current_xact_id()), read as text. */
const xid8 = customType<{ data: string }>({ dataType: () => "xid8" });

export const changes = pgTable(
  "changes",
  {
    spaceId: text("space_id").notNull(),
    seq: bigint("seq", { mode: "number" }).notNull(),
    at: timestamp("at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    kind: text("kind").$type<"being" | "intention">().notNull(),
    op: text("op").$type<"upsert" | "delete">().notNull(),
    entityId: text("entity_id").notNull(),
    /** The full row after the change in its public JSON shape; null on delete. */
    data: jsonb("data"),
    /** The transaction that appended it: a write reads back exactly its own changes (db/queries/appended.ts). */
    tx: xid8("tx").notNull().default(sql`pg_current_xact_id()`),
    /** The being whose write said it will relay this change itself (request header Sync-Relay: 1). */
    relayBy: text("relay_by"),
    /** Until when the broadcast waits for that relay's confirmation; null: broadcast at once. */
    relayUntil: timestamp("relay_until", { withTimezone: true, precision: 3 }),
    /** The writer confirmed it published the change into the room: the broadcast skips it. */
    relayed: boolean("relayed").notNull().default(false),
  },
  (t) => [
    primaryKey({ columns: [t.spaceId, t.seq] }),
    index("changes_tx_idx").on(t.tx),
    // Pruning finds the superseded versions of a row: every change to it in a space, newest first.
    index("changes_entity_idx").on(t.spaceId, t.entityId, t.seq),
    // Pruning by age, and finding recent changes whose earlier versions are superseded.
    index("changes_at_idx").on(t.at),
  ],
);

/** Running totals of the sync pipeline, readable by superusers at GET /api/admin/stats. */
export const syncCounters = pgTable("sync_counters", {
  name: text("name").primaryKey(),
  value: bigint("value", { mode: "number" }).notNull().default(0),
});

/**
 * The pipeline per minute, for the operator's charts: counters added as they happen, gauges
 * (pending, oldest pending age, occupied rooms) sampled by the sweeper. Rows older than a day are pruned.
 */
export const syncMinutes = pgTable("sync_minutes", {
  minute: timestamp("minute", { withTimezone: true, precision: 0 }).primaryKey(),
  counters: jsonb("counters").$type<Record<string, number>>().notNull().default({}),
  pending: integer("pending"),
  oldestPendingSeconds: doublePrecision("oldest_pending_seconds"),
  occupiedRooms: integer("occupied_rooms"),
});

/**
 * Receivers' health reports (POST /api/sync/health), summed per space and minute for the operator's charts.
 * Nothing here names who reported: no session, being or address. Rows older than a day are pruned.
 */
export const syncHealthMinutes = pgTable(
  "sync_health_minutes",
  {
    spaceId: text("space_id").notNull(),
    minute: timestamp("minute", { withTimezone: true, precision: 0 }).notNull(),
    reports: integer("reports").notNull().default(0),
    /** Each count's sum over the minute's reports, by name. */
    counts: jsonb("counts").$type<Record<string, number>>().notNull().default({}),
    /** Reports by the log bucket of their lag p50 and p99 (key: the bucket's upper bound in ms), so percentiles can be read back. */
    lagP50: jsonb("lag_p50").$type<Record<string, number>>().notNull().default({}),
    lagP99: jsonb("lag_p99").$type<Record<string, number>>().notNull().default({}),
  },
  (t) => [primaryKey({ columns: [t.spaceId, t.minute] }), index("sync_health_minutes_minute_idx").on(t.minute)],
);

/**
 * Model lists fetched from the provider (GET /api/bots/models), kept ten minutes. `keyIdentity` says whose
 * key asked without holding it: "none", "default" (the operator's) or "bot:<id>:<hash of the sealed key>",
 * so a changed key lists afresh. Rows an hour old are pruned as new ones are written.
 */
export const botModelLists = pgTable(
  "bot_model_lists",
  {
    baseUrl: text("base_url").notNull(),
    keyIdentity: text("key_identity").notNull(),
    models: jsonb("models").$type<string[]>().notNull(),
    fetchedAt: timestamp("fetched_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.baseUrl, t.keyIdentity] })],
);

/**
 * Tokens spent today (UTC) through the operator's default provider key, per being who asked: reserved
 * before a reply streams and settled to the provider's reported usage after (reserve_shared_tokens in
 * the rulebook). The day's sum is the project-wide total. Days older than a week are pruned.
 */
export const sharedKeyUsage = pgTable(
  "shared_key_usage",
  {
    day: date("day").notNull(),
    beingId: text("being_id").notNull(),
    tokens: bigint("tokens", { mode: "number" }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.day, t.beingId] })],
);
