import superjson from "superjson";
import { describe, expect, it } from "vitest";
import { receive, type SyncBatch } from "../../src/shared/sync.ts";
import { batch, said, SPACE, upsert } from "./support/fixtures.ts";

const parse = (text: string) => superjson.parse(text);
const packet = (value: unknown) => new TextEncoder().encode(superjson.stringify(value));
/** The verdict on `value` sent as a packet to a receiver of SPACE that applied up to seq 5. */
const judge = (value: unknown, last = 5) => receive(packet(value), { space: SPACE, last }, parse);

describe("receive: the seq verdict against last", () => {
  it("applies a batch that continues from last, and one that overlaps it", () => {
    expect(judge(batch(6, 7, [upsert(6, said("/c", 3))]))).toMatchObject({ kind: "apply", batch: { from: 6, to: 7 } });
    expect(judge(batch(4, 6, [upsert(6, said("/c", 3))])).kind).toBe("apply");
  });

  it("calls a batch ending at or below last a duplicate", () => {
    expect(judge(batch(5, 5, [])).kind).toBe("duplicate");
    expect(judge(batch(1, 3, [])).kind).toBe("duplicate");
  });

  it("calls a batch starting past last + 1 a gap", () => {
    expect(judge(batch(7, 7, [upsert(7, said("/c", 3))])).kind).toBe("gap");
  });

  it("sends a ref batch that connects to the changes endpoint; a ref past a gap is a gap first", () => {
    expect(judge(batch(6, 9, [], { ref: true })).kind).toBe("ref");
    expect(judge(batch(8, 9, [], { ref: true })).kind).toBe("gap");
    expect(judge(batch(2, 4, [], { ref: true })).kind).toBe("duplicate");
  });

  it("hands over the batch with its dates", () => {
    const verdict = judge(batch(6, 6, [upsert(6, said("/c", 3))]));
    if (verdict.kind === "rejected") throw new Error("rejected");
    expect(verdict.batch.changes[0].at).toBeInstanceOf(Date);
    expect((verdict.batch.changes[0].data as { createdAt: Date }).createdAt).toBeInstanceOf(Date);
  });

  it("reads a packet given as text as well as bytes", () => {
    expect(receive(superjson.stringify(batch(6, 6, [])), { space: SPACE, last: 5 }, parse).kind).toBe("apply");
  });
});

describe("receive: what is not a batch for this room", () => {
  it("rejects a batch of another space", () => {
    expect(judge({ ...batch(6, 6, [upsert(6, said("/c", 3))]), space: "@elsewhere" })).toEqual({ kind: "rejected", reason: "another space" });
  });

  it.each<[string, unknown]>([
    ["another version", { ...batch(6, 6, []), v: 2 }],
    ["no version", { ...batch(6, 6, []), v: undefined }],
    ["a seq that is not an integer", { ...batch(6, 6, []), from: 5.5 }],
    ["a seq that is a string", { ...batch(6, 6, []), to: "6" }],
    ["changes that are not a list", { ...batch(6, 6, []), changes: {} }],
    ["not an object", 42],
    ["null", null],
  ])("rejects a packet with %s as malformed", (_case, value) => {
    expect(judge(value)).toEqual({ kind: "rejected", reason: "malformed" });
  });

  it("rejects text that is not superjson, or not JSON at all", () => {
    expect(receive(new TextEncoder().encode("{not json"), { space: SPACE, last: 5 }, parse)).toEqual({ kind: "rejected", reason: "malformed" });
    expect(receive(JSON.stringify(batch(6, 6, []) satisfies SyncBatch), { space: SPACE, last: 5 }, parse).kind).toBe("rejected");
  });
});
