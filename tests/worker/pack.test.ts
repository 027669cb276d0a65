import superjson from "superjson";
import { describe, expect, it } from "vitest";
import type { Intention } from "../../src/shared/entities.ts";
import { MAX_SYNC_PAYLOAD_BYTES, type Change } from "../../src/shared/sync.ts";
import { packChanges } from "../../src/worker/sync/pack.ts";

const at = new Date("2026-11-22T10:00:00.000Z");

function upsert(seq: number, id: string, text = `message ${seq}`): Change {
  const data: Intention = {
    id: `/${id}`, name: "", type: "utterance", state: "complete", ownerId: "@ada", locationId: "@room",
    content: [text], version: 1, createdAt: at, modifiedAt: at,
  };
  return { seq, at, kind: "intention", op: "upsert", id: `/${id}`, data };
}

const seqsCovered = (packed: ReturnType<typeof packChanges>) => packed.flatMap(({ batch }) => [batch.from, batch.to]);

describe("packChanges", () => {
  it("puts a small run into one batch that decodes to exactly the changes, Dates included", () => {
    const changes = [upsert(1, "a"), upsert(2, "b"), { seq: 3, at, kind: "intention", op: "delete", id: "/a" } as Change];
    const [packed, ...rest] = packChanges("@room", changes);
    expect(rest).toEqual([]);
    expect(packed!.batch).toMatchObject({ v: 1, space: "@room", from: 1, to: 3 });
    const decoded = superjson.parse<any>(packed!.payload);
    expect(decoded.changes.map((c: Change) => c.seq)).toEqual([2, 3]); // /a's upsert coalesced into its delete
    expect(decoded.changes[0].data.createdAt).toBeInstanceOf(Date);
  });

  it("coalesces repeated changes to one entity into the last, keeping the range", () => {
    const packed = packChanges("@room", [upsert(4, "a", "v1"), upsert(5, "b"), upsert(6, "a", "v2"), upsert(7, "a", "v3")]);
    expect(packed).toHaveLength(1);
    expect(packed[0]!.batch.from).toBe(4);
    expect(packed[0]!.batch.to).toBe(7);
    expect(packed[0]!.batch.changes.map((c) => [c.seq, c.data && (c.data as Intention).content[0]])).toEqual([[5, "message 5"], [7, "v3"]]);
  });

  it("splits at the 15 KiB limit into contiguous ascending batches", () => {
    const changes = Array.from({ length: 120 }, (_, i) => upsert(i + 1, `id${i}`, "x".repeat(900)));
    const packed = packChanges("@room", changes);
    expect(packed.length).toBeGreaterThan(5);
    for (const { packetBytes } of packed) expect(packetBytes).toBeLessThanOrEqual(MAX_SYNC_PAYLOAD_BYTES);
    packed.forEach(({ batch }, i) => {
      if (i > 0) expect(batch.from).toBe(packed[i - 1]!.batch.to + 1);
    });
    expect(seqsCovered(packed)[0]).toBe(1);
    expect(seqsCovered(packed).at(-1)).toBe(120);
    expect(packed.reduce((n, { batch }) => n + batch.changes.length, 0)).toBe(120);
    // Payloads are filled: on average over 80% of the limit.
    const fill = packed.slice(0, -1).reduce((n, { packetBytes }) => n + packetBytes, 0) / ((packed.length - 1) * MAX_SYNC_PAYLOAD_BYTES);
    expect(fill).toBeGreaterThan(0.8);
  });

  it("sends a change too large for any packet as a ref batch, and its neighbours normally", () => {
    const packed = packChanges("@room", [upsert(1, "a"), upsert(2, "huge", "y".repeat(20_000)), upsert(3, "huge2", "z".repeat(20_000)), upsert(4, "b")]);
    expect(packed.map(({ batch }) => [batch.from, batch.to, batch.ref ?? false, batch.changes.length])).toEqual([
      [1, 1, false, 1],
      [2, 3, true, 0],
      [4, 4, false, 1],
    ]);
    for (const { packetBytes } of packed) expect(packetBytes).toBeLessThanOrEqual(MAX_SYNC_PAYLOAD_BYTES);
  });

  it("stays under the limit when its size estimate is short (multi-byte text)", () => {
    const changes = Array.from({ length: 60 }, (_, i) => upsert(i + 1, `e${i}`, "🙂".repeat(150)));
    const packed = packChanges("@room", changes, 4096);
    for (const { packetBytes } of packed) expect(packetBytes).toBeLessThanOrEqual(4096);
    expect(packed.reduce((n, { batch }) => n + batch.changes.length, 0)).toBe(60);
  });
});
