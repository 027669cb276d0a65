/** Rows, changes and batches for web tests, with readable defaults; and when the conversation shows them. */
import { screen } from "@solidjs/testing-library";
import { expect, vi } from "vitest";
import type { Being, BeingId, Intention, IntentionId } from "../../../src/shared/entities.ts";
import type { Change, SyncBatch } from "../../../src/shared/sync.ts";
import type { ReceiverMinute, SpaceSnapshot, SyncStats } from "../../../src/shared/responses.ts";

export const SPACE: BeingId = "@s";
const T0 = Date.parse("2026-11-20T10:00:00Z");

/** A time `minutes` after the fixtures' epoch. */
export const at = (minutes: number) => new Date(T0 + minutes * 60_000);

/** A space being. */
export function space(id: BeingId = SPACE, overrides: Partial<Being> = {}): Being {
  return { id, name: "Studio", type: "space", ownerId: null, locationId: null, properties: {}, content: [], version: 1, createdAt: at(0), modifiedAt: at(0), ...overrides };
}

/** A guest located in the space. */
export function guest(id: BeingId, overrides: Partial<Being> = {}): Being {
  return { id, name: id.slice(1), type: "guest", ownerId: null, locationId: SPACE, properties: {}, content: [], version: 1, createdAt: at(0), modifiedAt: at(0), ...overrides };
}

/** An utterance said in the space `minute` minutes in. */
export function said(id: IntentionId, minute: number, overrides: Partial<Intention> = {}): Intention {
  return {
    id,
    name: "",
    type: "utterance",
    state: "complete",
    ownerId: "@ada",
    locationId: SPACE,
    content: [`message ${id}`],
    version: 1,
    createdAt: at(minute),
    modifiedAt: at(minute),
    ...overrides,
  };
}

/** An upsert change carrying `row`. */
export function upsert(seq: number, row: Being | Intention): Change {
  return row.id.startsWith("@")
    ? { seq, at: at(seq), kind: "being", op: "upsert", id: row.id as BeingId, data: row as Being }
    : { seq, at: at(seq), kind: "intention", op: "upsert", id: row.id as IntentionId, data: row as Intention };
}

/** A delete change. */
export function removal(seq: number, id: BeingId | IntentionId): Change {
  return id.startsWith("@")
    ? { seq, at: at(seq), kind: "being", op: "delete", id: id as BeingId }
    : { seq, at: at(seq), kind: "intention", op: "delete", id: id as IntentionId };
}

/** A batch covering [from, to]. */
export function batch(from: number, to: number, changes: Change[], extra: Partial<SyncBatch> = {}): SyncBatch {
  return { v: 1, space: SPACE, from, to, changes, ...extra };
}

/** The snapshot GET /api/spaces/@s answers. */
export function snapshot(overrides: Partial<SpaceSnapshot> = {}): SpaceSnapshot {
  return {
    space: space(),
    beings: [guest("@ada"), guest("@bob")],
    intentions: [said("/a", 1), said("/b", 2, { ownerId: "@bob" })],
    hasMore: false,
    seq: 5,
    presence: { lastSeen: {}, awayListedSeconds: 3600 },
    ...overrides,
  };
}

/**
 * What GET /api/admin/stats answers at 10:59:30 (fixture time): calls and broadcasts in three minutes,
 * a failure in one, and two sweeper samples (10:50 and 10:58), so the gauges have gaps. No receiver reported.
 */
export function syncStats(overrides: Partial<SyncStats> = {}): SyncStats {
  return {
    at: at(59.5),
    counters: { calls: 40, batches: 30, changes: 90, deferred: 2, rate_limited: 1, failures: 3 },
    lag: { spaces: 2, changes: 5, maxChanges: 4, oldestSeconds: 12.5 },
    budget: { callsPerMinute: 900, callsThisMinute: 7, blockedUntil: null },
    rooms: { occupied: 3 },
    log: { changes: 1234, bytes: 98_304 },
    minutes: [
      { minute: at(50), counters: { calls: 4, batches: 4 }, pending: 0, oldestPendingSeconds: null, occupiedRooms: 2 },
      { minute: at(58), counters: { calls: 5, batches: 3, failures: 1 }, pending: 5, oldestPendingSeconds: 12.5, occupiedRooms: 3 },
      { minute: at(59), counters: { calls: 7, batches: 6 }, pending: null, oldestPendingSeconds: null, occupiedRooms: null },
    ],
    receivers: [],
    revocations: [],
    ...overrides,
  };
}

/** One minute of receivers' health as GET /api/admin/stats sums it: 3 of 4 batches relayed, lag 120 ms / 900 ms. */
export function receiverMinute(minute: number, overrides: Partial<ReceiverMinute> = {}): ReceiverMinute {
  return {
    minute: at(minute),
    reports: 2,
    applied: 4,
    relayed: 3,
    relayedShare: 0.75,
    duplicates: 0,
    rejected: 0,
    gaps: 0,
    catchUps: 0,
    polls: 0,
    reconnects: 0,
    lagP50Ms: 120,
    lagP99Ms: 900,
    ...overrides,
  };
}

/** Resolves once the conversation has added its first rows (it is busy until then). */
export const conversationShown = () =>
  vi.waitFor(() => expect(screen.getByRole("log", { name: "Conversation" }).getAttribute("aria-busy")).toBe("false"));
