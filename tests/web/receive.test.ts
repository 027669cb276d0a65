import superjson from "superjson";
import { describe, expect, it } from "vitest";
import { fromBase64url, toBase64url } from "../../src/shared/signing.ts";
import { receive, type SyncBatch } from "../../src/shared/sync.ts";
import { batch, said, SPACE, upsert } from "./support/fixtures.ts";
import { signedPacket, signedText, testReader } from "./support/signed.ts";

/** The verdict on `value` sent as a signed packet to a receiver of SPACE that applied up to seq 5. */
const judge = async (value: unknown, last = 5) => receive(await signedPacket(value), { space: SPACE, last }, testReader);
/** The verdict on a packet's raw text. */
const judgeText = (text: string) => receive(text, { space: SPACE, last: 5 }, testReader);

describe("receive: the seq verdict against last", () => {
  it("applies a batch that continues from last, and one that overlaps it", async () => {
    expect(await judge(batch(6, 7, [upsert(6, said("/c", 3))]))).toMatchObject({ kind: "apply", batch: { from: 6, to: 7 } });
    expect((await judge(batch(4, 6, [upsert(6, said("/c", 3))]))).kind).toBe("apply");
  });

  it("calls a batch ending at or below last a duplicate", async () => {
    expect((await judge(batch(5, 5, []))).kind).toBe("duplicate");
    expect((await judge(batch(1, 3, []))).kind).toBe("duplicate");
  });

  it("calls a batch starting past last + 1 a gap", async () => {
    expect((await judge(batch(7, 7, [upsert(7, said("/c", 3))]))).kind).toBe("gap");
  });

  it("sends a ref batch that connects to the changes endpoint; a ref past a gap is a gap first", async () => {
    expect((await judge(batch(6, 9, [], { ref: true }))).kind).toBe("ref");
    expect((await judge(batch(8, 9, [], { ref: true }))).kind).toBe("gap");
    expect((await judge(batch(2, 4, [], { ref: true }))).kind).toBe("duplicate");
  });

  it("hands over the batch with its dates", async () => {
    const verdict = await judge(batch(6, 6, [upsert(6, said("/c", 3))]));
    if (verdict.kind === "rejected") throw new Error("rejected");
    expect(verdict.batch.changes[0].at).toBeInstanceOf(Date);
    expect((verdict.batch.changes[0].data as { createdAt: Date }).createdAt).toBeInstanceOf(Date);
  });

  it("reads a packet given as text as well as bytes", async () => {
    expect((await judgeText(await signedText(batch(6, 6, [])))).kind).toBe("apply");
  });
});

describe("receive: what is not a batch for this room", () => {
  it("rejects a batch of another space", async () => {
    expect(await judge({ ...batch(6, 6, [upsert(6, said("/c", 3))]), space: "@elsewhere" })).toEqual({ kind: "rejected", reason: "another space" });
  });

  it.each<[string, unknown]>([
    ["another version", { ...batch(6, 6, []), v: 2 }],
    ["no version", { ...batch(6, 6, []), v: undefined }],
    ["a seq that is not an integer", { ...batch(6, 6, []), from: 5.5 }],
    ["a seq that is a string", { ...batch(6, 6, []), to: "6" }],
    ["changes that are not a list", { ...batch(6, 6, []), changes: {} }],
    ["not an object", 42],
    ["null", null],
  ])("rejects a packet with %s as malformed", async (_case, value) => {
    expect(await judge(value)).toEqual({ kind: "rejected", reason: "malformed" });
  });

  it("rejects text that is not a signed batch, or not JSON at all", async () => {
    expect(await receive(new TextEncoder().encode("{not json"), { space: SPACE, last: 5 }, testReader)).toEqual({ kind: "rejected", reason: "malformed" });
    expect((await judgeText(JSON.stringify(batch(6, 6, []) satisfies SyncBatch))).kind).toBe("rejected");
  });

  it("rejects an unsigned batch, however well formed: trust rests on the signature alone", async () => {
    expect(await judgeText(superjson.stringify(batch(6, 6, [upsert(6, said("/c", 3))])))).toEqual({ kind: "rejected", reason: "malformed" });
  });

  it("rejects a signed batch whose payload or signature was changed, and one signed by a key not listed", async () => {
    const signed = JSON.parse(await signedText(batch(6, 6, [upsert(6, said("/c", 3))])));
    const forgedPayload = { ...signed, payload: signed.payload.replace("message /c", "message /x") };
    expect(await judgeText(JSON.stringify(forgedPayload))).toEqual({ kind: "rejected", reason: "bad signature" });
    const sig = fromBase64url(signed.sig);
    sig[0] = sig[0]! ^ 0x80;
    expect(await judgeText(JSON.stringify({ ...signed, sig: toBase64url(sig) }))).toEqual({ kind: "rejected", reason: "bad signature" });
    expect(await judgeText(JSON.stringify({ ...signed, kid: "someone-else" }))).toEqual({ kind: "rejected", reason: "unknown key" });
  });

  it("rejects a packet larger than LiveKit could carry, before reading it", async () => {
    expect(await judgeText(await signedText(batch(6, 6, [upsert(6, said("/c", 3, { content: ["x".repeat(20_000)] }))])))).toEqual({
      kind: "rejected",
      reason: "malformed",
    });
  });

  it("a genuine batch replayed from another room is another space's; one replayed later is a duplicate", async () => {
    expect(await judge({ ...batch(6, 6, []), space: "@elsewhere" })).toEqual({ kind: "rejected", reason: "another space" });
    expect((await judge(batch(3, 4, []))).kind).toBe("duplicate");
  });
});
