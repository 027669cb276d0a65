import superjson from "superjson";
import { describe, expect, it } from "vitest";
import { judge, type SyncBatch } from "../../src/shared/sync.ts";
import { addHistory, applyChanges, applyFacts, applyWrite, fromSnapshot, removeIntention, type SpaceState } from "../../src/web/sync/apply.ts";
import { at, batch, guest, removal, said, snapshot, space, SPACE, upsert } from "./support/fixtures.ts";

const start = (overrides = {}): SpaceState => fromSnapshot(snapshot(overrides));
/** What the pump does with a batch once its packet is opened: judges it, and applies it when it connects. */
function offer(state: SpaceState, sent: SyncBatch) {
  const verdict = judge(superjson.parse<SyncBatch>(superjson.stringify(sent)), { space: state.space.id, last: state.last });
  if (verdict.kind === "apply") applyChanges(state, verdict.batch.changes, verdict.batch.to);
  return verdict.kind;
}
const texts = (state: SpaceState) => state.order.map((id) => state.intentions[id].content[0]);

describe("fromSnapshot", () => {
  it("holds the space, the beings here, the intentions in order and the snapshot's seq", () => {
    const state = start({ intentions: [said("/b", 2), said("/a", 1)] });
    expect(state.space.id).toBe(SPACE);
    expect(Object.keys(state.beings)).toEqual(["@ada", "@bob"]);
    expect(state.order).toEqual(["/a", "/b"]);
    expect(state.last).toBe(5);
  });
});

describe("receive, then applyChanges: the receive rule", () => {
  it("applies a batch that continues from the last seq and moves last to its end", () => {
    const state = start();
    expect(offer(state, batch(6, 7, [upsert(6, said("/c", 3)), upsert(7, said("/d", 4))]))).toBe("apply");
    expect(state.order).toEqual(["/a", "/b", "/c", "/d"]);
    expect(state.last).toBe(7);
  });

  it("ignores a duplicate batch (to <= last) without touching anything", () => {
    const state = start();
    expect(offer(state, batch(4, 5, [removal(5, "/a")]))).toBe("duplicate");
    expect(state.order).toEqual(["/a", "/b"]);
    expect(state.last).toBe(5);
  });

  it("reports a gap (from > last + 1) and applies nothing", () => {
    const state = start();
    expect(offer(state, batch(7, 7, [upsert(7, said("/c", 3))]))).toBe("gap");
    expect(state.intentions["/c"]).toBeUndefined();
    expect(state.last).toBe(5);
  });

  it("applies only the changes above last from a batch that overlaps it", () => {
    const state = start();
    const overlapping = batch(4, 6, [removal(4, "/a"), upsert(5, said("/b", 2, { content: ["stale"] })), upsert(6, said("/c", 3))]);
    expect(offer(state, overlapping)).toBe("apply");
    expect(state.order).toEqual(["/a", "/b", "/c"]);
    expect(state.intentions["/b"].content).toEqual(["message /b"]);
    expect(state.last).toBe(6);
  });

  it("converges on out-of-order batches: the early one is a gap, the late one a duplicate once caught up", () => {
    const state = start();
    const second = batch(7, 7, [upsert(7, said("/d", 4))]);
    const first = batch(6, 6, [upsert(6, said("/c", 3))]);
    expect(offer(state, second)).toBe("gap");
    expect(offer(state, first)).toBe("apply");
    expect(offer(state, second)).toBe("apply");
    expect(offer(state, first)).toBe("duplicate");
    expect(state.order).toEqual(["/a", "/b", "/c", "/d"]);
    expect(state.last).toBe(7);
  });

  it("applies a coalesced batch: one change standing for several seqs still moves last to `to`", () => {
    const state = start();
    // seqs 6..8 edited /a three times; the server sent only the last version.
    const coalesced = batch(6, 8, [upsert(8, said("/a", 1, { content: ["third edit"], modifiedAt: at(9) }))]);
    expect(offer(state, coalesced)).toBe("apply");
    expect(state.intentions["/a"].content).toEqual(["third edit"]);
    expect(state.last).toBe(8);
  });

  it("deletes intentions and beings", () => {
    const state = start();
    offer(state, batch(6, 7, [removal(6, "/a"), removal(7, "@bob")]));
    expect(state.order).toEqual(["/b"]);
    expect(state.intentions["/a"]).toBeUndefined();
    expect(Object.keys(state.beings)).toEqual(["@ada"]);
  });

  it("asks the caller to fetch a ref batch, leaving the state as it was", () => {
    const state = start();
    expect(offer(state, batch(6, 9, [], { ref: true }))).toBe("ref");
    expect(state.last).toBe(5);
  });

  it("ignores a batch for another space", () => {
    const state = start();
    expect(offer(state, { ...batch(6, 6, [upsert(6, said("/c", 3))]), space: "@elsewhere" })).toBe("rejected");
    expect(state.intentions["/c"]).toBeUndefined();
  });
});

describe("applyChanges: beings", () => {
  it("drops a being that moved elsewhere from the list, and adds one that arrived", () => {
    const state = start();
    offer(state, batch(6, 7, [upsert(6, guest("@bob", { locationId: "@other" })), upsert(7, guest("@cy"))]));
    expect(Object.keys(state.beings).sort()).toEqual(["@ada", "@cy"]);
  });

  it("keeps the space itself, updating it, although its location is another space", () => {
    const state = start();
    offer(state, batch(6, 6, [upsert(6, space(SPACE, { name: "Renamed", locationId: "@intraliminal" }))]));
    expect(state.space.name).toBe("Renamed");
    expect(state.beings[SPACE]).toBeUndefined();
  });

  it("marks the space deleted when its own being is deleted", () => {
    const state = start();
    offer(state, batch(6, 6, [removal(6, SPACE)]));
    expect(state.deleted).toBe(true);
  });

  it("updates a being in place, keeping the row object", () => {
    const state = start();
    const ada = state.beings["@ada"];
    offer(state, batch(6, 6, [upsert(6, guest("@ada", { name: "Ada L." }))]));
    expect(state.beings["@ada"]).toBe(ada);
    expect(ada.name).toBe("Ada L.");
  });
});

describe("applyChanges: intention order", () => {
  it("keeps (createdAt, id) order for inserts in the middle and ties on time", () => {
    const state = start({ intentions: [said("/a", 1), said("/m", 5)] });
    offer(state, batch(6, 8, [upsert(6, said("/z", 3)), upsert(7, said("/c", 3)), upsert(8, said("/0", 9))]));
    expect(state.order).toEqual(["/a", "/c", "/z", "/m", "/0"]);
  });

  it("moves a row whose createdAt changed, and edits a row in place otherwise", () => {
    const state = start({ intentions: [said("/a", 1), said("/b", 2), said("/c", 3)] });
    const b = state.intentions["/b"];
    offer(state, batch(6, 7, [upsert(6, said("/a", 4)), upsert(7, said("/b", 2, { content: ["edited"] }))]));
    expect(state.order).toEqual(["/b", "/c", "/a"]);
    expect(state.intentions["/b"]).toBe(b);
    expect(texts(state)).toEqual(["edited", "message /c", "message /a"]);
  });

  it("removes an intention that moved to another space", () => {
    const state = start();
    offer(state, batch(6, 6, [upsert(6, said("/a", 1, { locationId: "@other" }))]));
    expect(state.order).toEqual(["/b"]);
  });

  it("skips an unloaded row older than the loaded history (it comes with the history page)", () => {
    const state = start({ intentions: [said("/m", 10)], hasMore: true });
    offer(state, batch(6, 6, [upsert(6, said("/old", 1, { content: ["edited long ago"] }))]));
    expect(state.order).toEqual(["/m"]);
    expect(state.last).toBe(6);
  });
});

describe("applyWrite, removeIntention, addHistory", () => {
  it("applies a write's row only when its seq is beyond what was applied", () => {
    const state = start();
    expect(applyWrite(state, said("/c", 3), 6)).toBe(true);
    expect(state.order).toEqual(["/a", "/b", "/c"]);
    // The broadcast of seq 7 (a later edit) got here before the answer to the write of seq 7.
    offer(state, batch(6, 8, [upsert(8, said("/c", 3, { content: ["newer"] }))]));
    expect(applyWrite(state, said("/c", 3, { content: ["older"] }), 7)).toBe(false);
    expect(state.intentions["/c"].content).toEqual(["newer"]);
  });

  it("removes an intention locally", () => {
    const state = start();
    removeIntention(state, "/a");
    expect(state.order).toEqual(["/b"]);
  });

  it("merges an older page in order, keeping rows already known and the page's hasMore", () => {
    const state = start({ intentions: [said("/k", 10), said("/m", 12)], hasMore: true });
    addHistory(state, { intentions: [said("/e", 5), said("/g", 7), said("/k", 10, { content: ["stale copy"] })], hasMore: false });
    expect(state.order).toEqual(["/e", "/g", "/k", "/m"]);
    expect(state.intentions["/k"].content).toEqual(["message /k"]);
    expect(state.hasMore).toBe(false);
  });
});

describe("applyFacts: what the server says I may do here", () => {
  it("takes in the facts a snapshot or a page of changes gave, and keeps those a page left out", () => {
    const state = start({ moderation: { removeAny: false, removeOwnedBy: ["@ada"] }, mayManage: false });
    expect(state).toMatchObject({ moderation: { removeAny: false, removeOwnedBy: ["@ada"] }, mayManage: false });
    applyFacts(state, { moderation: { removeAny: true, removeOwnedBy: ["@ada"] }, mayManage: true });
    expect(state).toMatchObject({ moderation: { removeAny: true }, mayManage: true });
    applyFacts(state, {});
    expect(state).toMatchObject({ moderation: { removeAny: true }, mayManage: true });
  });
});
