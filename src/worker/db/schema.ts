/** The database schema. Change recording (the outbox) is done by triggers in drizzle/0001_change_log.sql. */
import { sql } from "drizzle-orm";
import { bigint, check, index, jsonb, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";
import type { BeingType, ContentNode, IntentionState, IntentionType } from "../../shared/entities.ts";

// Millisecond precision: the same as a JavaScript Date, so a row survives a JSON round trip unchanged.
const timestamps = {
  createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  modifiedAt: timestamp("modified_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
};

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
    /** Seq of the last change to this row in its space; set by the change-recording trigger. */
    seq: bigint("seq", { mode: "number" }).notNull().default(0),
    ...timestamps,
  },
  (t) => [
    index("intentions_location_time_idx").on(t.locationId, t.createdAt, t.id),
    index("intentions_owner_idx").on(t.ownerId),
  ],
);

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
  },
  (t) => [index("sessions_being_idx").on(t.beingId)],
);

/** Per space: the last change seq committed and the last one whose broadcast LiveKit confirmed. */
export const spaceSync = pgTable(
  "space_sync",
  {
    spaceId: text("space_id").primaryKey(),
    lastSeq: bigint("last_seq", { mode: "number" }).notNull().default(0),
    broadcastSeq: bigint("broadcast_seq", { mode: "number" }).notNull().default(0),
    broadcastAt: timestamp("broadcast_at", { withTimezone: true, precision: 3 }),
  },
  (t) => [index("space_sync_lagging_idx").on(t.spaceId).where(sql`${t.lastSeq} > ${t.broadcastSeq}`)],
);

/** The outbox: one row per change per touched space, gap-free seq per space, written by triggers. */
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
  },
  (t) => [primaryKey({ columns: [t.spaceId, t.seq] })],
);

/** Running totals of the sync pipeline, readable by superusers at GET /api/admin/stats. */
export const syncCounters = pgTable("sync_counters", {
  name: text("name").primaryKey(),
  value: bigint("value", { mode: "number" }).notNull().default(0),
});
