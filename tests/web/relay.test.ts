import { afterEach, describe, expect, it, vi } from "vitest";
import { toBase64url, type SignedBatch } from "../../src/shared/signing.ts";
import type { SyncBatch } from "../../src/shared/sync.ts";
import { nextTask } from "../../src/web/scheduling.ts";
import { backoff } from "../../src/web/sync/backoff.ts";
import { createOutbox, type Outbox } from "../../src/web/sync/outbox.ts";
import { createConfirmations } from "../../src/web/sync/relay.ts";
import { createSpaceSync, type SpaceSync } from "../../src/web/sync/store.ts";
import { fakeLink } from "./support/fake-link.ts";
import { fakeServer, json, type Call } from "./support/fake-server.ts";
import { batch, said, snapshot, SPACE, upsert } from "./support/fixtures.ts";
import { signedText, TEST_SYNC_KEY } from "./support/signed.ts";

const SNAPSHOT = "GET /api/spaces/%40s";
const CHANGES = "GET /api/spaces/%40s/changes";
const POST = "POST /api/spaces/%40s/intentions";
const RELAYED = "POST /api/spaces/%40s/relayed";
const MUTED = "POST /api/spaces/%40s/muted";
const fast = () => backoff(5, 20);

let open: SpaceSync[] = [];
let outboxes: Outbox[] = [];
afterEach(() => {
  for (const sync of open) sync.close();
  for (const outbox of outboxes) outbox.close();
  open = [];
  outboxes = [];
  localStorage.clear();
  vi.restoreAllMocks();
});

/** A signed batch as a write's answer carries it. */
const signed = async (value: SyncBatch): Promise<SignedBatch> => JSON.parse(await signedText(value));

/** POST /api/spaces/@s/intentions answering with the row at `seq` and the signed batch of exactly that change. */
function posting(seq: number) {
  return async (call: Call) => {
    const row = said((call.body as { id: `/${string}` }).id, seq, { ownerId: "@me" });
    return json({ intention: row, seq, sync: [await signed(batch(seq, seq, [upsert(seq, row)]))] }, 201);
  };
}

/** The server of a space at seq 5 whose catch-ups bring nothing new unless `changes` says otherwise. */
function server(routes: Parameters<typeof fakeServer>[0] = {}) {
  return fakeServer({
    [SNAPSHOT]: () => json(snapshot({ seq: 5 })),
    [CHANGES]: () => json({ changes: [], seq: 5, hasMore: false }),
    [RELAYED]: () => new Response(null, { status: 204 }),
    [MUTED]: () => json({ revocation: {} }),
    ...routes,
  });
}

/** Joins the space and brings its room to `state`; once connected, the packets' reader is loaded too. */
async function join(state: "connected" | "off" = "connected") {
  const link = fakeLink();
  const outbox = createOutbox({ storageKey: "spaces:outbox:@me", delays: fast() });
  outboxes.push(outbox);
  const sync = createSpaceSync(SPACE, { outbox, openLink: link.open, pollDelays: fast(), retryDelays: fast() });
  open.push(sync);
  await vi.waitFor(() => expect(sync.status()).toBe("ready"));
  await link.ready();
  link.state(state);
  // A duplicate is judged only once the reader (superjson, the keys) is there.
  await link.deliver(batch(5, 5, []));
  await vi.waitFor(() => expect(sync.stats().counts.duplicates).toBe(1));
  return { link, sync };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("a writer in the room relays its own change", () => {
  it("says Sync-Relay, applies its batch at once, publishes exactly its bytes, and confirms it once", async () => {
    const api = server({ [POST]: posting(6) });
    const { link, sync } = await join();
    sync.post("hello");
    await vi.waitFor(() => expect(link.published).toHaveLength(1));
    const [write] = api.callsTo(POST);
    expect(write.headers.get("Sync-Relay")).toBe("1");
    // Applied from the answer's batch: no broadcast was delivered.
    expect(sync.view?.last).toBe(6);
    const answer = (await (await posting(6)(write)).json()) as { sync: SignedBatch[] };
    expect(new TextDecoder().decode(link.published[0])).toBe(JSON.stringify(answer.sync[0]));
    await vi.waitFor(() => expect(api.callsTo(RELAYED)).toHaveLength(1));
    expect(api.callsTo(RELAYED)[0].body).toEqual({ to: 6 });
    await pause(30);
    expect(api.callsTo(RELAYED)).toHaveLength(1);
    expect(sync.stats().counts).toMatchObject({ "relays.published": 1, "applied.own": 1 });
  });

  it("does not say Sync-Relay nor publish while polling (the server broadcasts at once)", async () => {
    const api = server({ [POST]: posting(6) });
    const { link, sync } = await join("off");
    sync.post("hello");
    await vi.waitFor(() => expect(api.callsTo(POST)).toHaveLength(1));
    await vi.waitFor(() => expect(sync.view?.last).toBe(6));
    expect(api.callsTo(POST)[0].headers.has("Sync-Relay")).toBe(false);
    await pause(30);
    expect(link.published).toEqual([]);
    expect(api.callsTo(RELAYED)).toEqual([]);
  });

  it("stops saying Sync-Relay once the server took its data publishing back", async () => {
    const api = server({ [POST]: posting(6) });
    const { link, sync } = await join();
    link.mayPublish = false;
    sync.post("hello");
    await vi.waitFor(() => expect(sync.view?.last).toBe(6));
    expect(api.callsTo(POST)[0].headers.has("Sync-Relay")).toBe(false);
    await pause(30);
    expect(link.published).toEqual([]);
    expect(api.callsTo(RELAYED)).toEqual([]);
  });

  it("confirms nothing when publishing fails: the server's grace delivers it", async () => {
    const api = server({ [POST]: posting(6) });
    const { link, sync } = await join();
    link.publishFails = true;
    sync.post("hello");
    await vi.waitFor(() => expect(sync.stats().counts["relays.failed"]).toBe(1));
    expect(sync.view?.last).toBe(6);
    await pause(30);
    expect(api.callsTo(RELAYED)).toEqual([]);
  });
});

describe("confirmations", () => {
  it("go one at a time, each covering the highest seq published so far", async () => {
    const sent: number[] = [];
    let answer = () => {};
    const confirmations = createConfirmations(SPACE, (to) => {
      sent.push(to);
      return new Promise<void>((resolve) => (answer = resolve));
    });
    confirmations.published(6);
    confirmations.published(8);
    confirmations.published(7);
    await vi.waitFor(() => expect(sent).toEqual([8]));
    confirmations.published(9);
    confirmations.published(10);
    await pause(10);
    expect(sent).toEqual([8]);
    answer();
    await vi.waitFor(() => expect(sent).toEqual([8, 10]));
  });

  it("never cover a batch that failed to publish until the server's grace for it has passed", async () => {
    const sent: number[] = [];
    const confirmations = createConfirmations(SPACE, async (to) => void sent.push(to), 100);
    confirmations.failed(6);
    confirmations.published(7);
    confirmations.published(5);
    await vi.waitFor(() => expect(sent).toEqual([5]));
    await pause(20);
    expect(sent).toEqual([5]);
    // The grace has passed: the server sent seq 6 itself; 7 may be confirmed now.
    await vi.waitFor(() => expect(sent).toEqual([5, 7]));
  });
});

describe("hold-back: a batch past a gap waits for the seqs before it", () => {
  it("applies relays that arrive out of order (7, then 6) without a catch-up", async () => {
    const api = server();
    const { link, sync } = await join();
    const catchUps = api.callsTo(CHANGES).length;
    await link.deliver(batch(7, 7, [upsert(7, said("/seven", 7))]), true);
    await pause(20);
    expect(sync.view?.last).toBe(5);
    await link.deliver(batch(6, 6, [upsert(6, said("/six", 6))]), true);
    await vi.waitFor(() => expect(sync.view?.last).toBe(7));
    expect(sync.view?.order.slice(-2)).toEqual(["/six", "/seven"]);
    await pause(600);
    expect(api.callsTo(CHANGES)).toHaveLength(catchUps);
    // The packet of seq 6 came from a writer in the room (LiveKit named its sender): counted as relayed.
    expect(sync.stats().counts).toMatchObject({ gaps: 1, "held.resolved": 1, applied: 2, relayed: 1 });
  });

  it("catches up once the gap has stayed open for 500 ms", async () => {
    let deliveredAt = Infinity;
    let askedAt = 0;
    const api = server({
      [CHANGES]: () => {
        if (performance.now() < deliveredAt) return json({ changes: [], seq: 5, hasMore: false });
        askedAt = performance.now();
        return json({ changes: [upsert(6, said("/six", 6)), upsert(7, said("/seven", 7))], seq: 7, hasMore: false });
      },
    });
    const { link, sync } = await join();
    const catchUps = api.callsTo(CHANGES).length;
    deliveredAt = performance.now();
    await link.deliver(batch(7, 7, [upsert(7, said("/seven", 7))]));
    await vi.waitFor(() => expect(sync.view?.last).toBe(7), { timeout: 2_000 });
    expect(askedAt - deliveredAt).toBeGreaterThanOrEqual(450);
    expect(api.callsTo(CHANGES)).toHaveLength(catchUps + 1);
    expect(sync.stats().counts).toMatchObject({ gaps: 1, "held.caughtUp": 1 });
  });
});

/** Junk of every kind a participant may publish on `sync`, the i-th of them. */
function junk(i: number): Uint8Array {
  const text = (value: unknown) => new TextEncoder().encode(typeof value === "string" ? value : JSON.stringify(value));
  const sig = toBase64url(crypto.getRandomValues(new Uint8Array(64)));
  switch (i % 5) {
    case 0:
      return text(`not json ${i}`);
    case 1:
      return text({ kid: TEST_SYNC_KEY.kid, payload: 42 });
    case 2:
      return new Uint8Array(16 * 1024).fill(123);
    case 3:
      return text({ kid: "someone-else", payload: "{}", sig });
    default:
      // The costliest: a listed kid, so the signature must be verified before it fails.
      return text({ kid: TEST_SYNC_KEY.kid, payload: JSON.stringify({ json: { v: 1, space: SPACE, from: 6, to: 6, changes: [] } }), sig });
  }
}

// The web project is typed for the browser; the tests run in Node, whose per-thread CPU clock this reads.
declare const process: { threadCpuUsage(): { user: number; system: number } };

/** CPU time this thread has used, in ms (Node 23.9+). */
const busyMs = () => {
  const { user, system } = process.threadCpuUsage();
  return (user + system) / 1_000;
};

/**
 * Watches the main thread until `stop`, which answers the most CPU time it spent without running a timer:
 * an upper bound on its longest task. CPU time, not wall time: other processes taking the machine's cores
 * do not count.
 */
function watchTasks() {
  let longest = 0;
  let watching = true;
  let last = busyMs();
  const beat = () => {
    const now = busyMs();
    longest = Math.max(longest, now - last);
    last = now;
    if (watching) setTimeout(beat);
  };
  setTimeout(beat);
  return {
    stop() {
      watching = false;
      return longest;
    },
  };
}

describe("a participant flooding the sync topic", () => {
  it("mutes a named sender after 16 junk or forged packets, never one LiveKit does not name, and never for an unknown key", async () => {
    server();
    const { link, sync } = await join();
    const junkText = new TextEncoder().encode("junk");
    for (let i = 0; i < 16; i++) await link.deliverRaw(junkText, "@mallory#tab");
    await vi.waitFor(() => expect(sync.stats().counts["rejected.malformed"]).toBe(16));
    for (let i = 0; i < 4; i++) await link.deliverRaw(junkText, "@mallory#tab");
    for (let i = 0; i < 20; i++) await link.deliverRaw(junkText, null);
    const unknownKey = JSON.stringify({ kid: "rotated-meanwhile", payload: "{}", sig: "AA" });
    for (let i = 0; i < 20; i++) await link.deliverRaw(new TextEncoder().encode(unknownKey), "@carol#tab");
    await vi.waitFor(() => expect(sync.stats().counts["rejected.unknown-key"]).toBe(20));
    await link.deliver(batch(6, 6, [upsert(6, said("/real", 6))]), true);
    await vi.waitFor(() => expect(sync.view?.last).toBe(6));
    expect(sync.stats().counts).toMatchObject({ "rejected.muted": 4, "rejected.malformed": 36, applied: 1 });
  });

  it("reports the sender it muted to the server once, so LiveKit takes its publishing back", async () => {
    const api = server();
    const { link, sync } = await join();
    const junkText = new TextEncoder().encode("junk");
    for (let i = 0; i < 15; i++) await link.deliverRaw(junkText, "@mallory#tab");
    await vi.waitFor(() => expect(sync.stats().counts["rejected.malformed"]).toBe(15));
    expect(api.callsTo(MUTED)).toEqual([]);
    for (let i = 0; i < 10; i++) await link.deliverRaw(junkText, "@mallory#tab");
    await vi.waitFor(() => expect(api.callsTo(MUTED)).toHaveLength(1));
    expect(api.callsTo(MUTED)[0].body).toEqual({ identity: "@mallory#tab" });
    await pause(30);
    expect(api.callsTo(MUTED)).toHaveLength(1);
  });

  it("stops nobody's real changes, and leaves the page free to paint between slices", async () => {
    const JUNK = 5_000;
    const REAL = 20;
    const api = server();
    const { link, sync } = await join();
    const catchUps = api.callsTo(CHANGES).length;
    const tasks = watchTasks();
    const started = performance.now();
    // As the network hands them over: a few packets per task (10,000 a second at most), real ones among the junk.
    for (let i = 0, seq = 6; i < JUNK; i++) {
      void link.deliverRaw(junk(i));
      if (i % (JUNK / REAL) === JUNK / REAL - 1) void link.deliver(batch(seq, seq, [upsert(seq, said(`/real${seq}`, seq))])), seq++;
      if (i % 10 === 9) await nextTask();
    }
    await vi.waitFor(() => expect(sync.view?.last).toBe(5 + REAL), { timeout: 30_000 });
    const tookMs = performance.now() - started;
    const longest = tasks.stop();
    await vi.waitFor(() => {
      const counts = sync.stats().counts;
      const rejected = Object.entries(counts).filter(([name]) => name.startsWith("rejected.")).reduce((sum, [, n]) => sum + n, 0);
      expect(rejected).toBe(JUNK);
    });
    console.log(`flood: ${JUNK} junk + ${REAL} real packets, every real change applied in ${tookMs.toFixed(0)} ms; longest task ≤ ${longest.toFixed(1)} ms of CPU`);
    expect(sync.view?.order.filter((id) => id.startsWith("/real"))).toHaveLength(REAL);
    expect(api.callsTo(CHANGES)).toHaveLength(catchUps);
    expect(sync.stats().counts["dropped.inbox"]).toBeUndefined();
    expect(sync.stats().counts.applied).toBe(REAL);
    // Once 16 of its packets were junk or forged, the flooder's packets are dropped unread.
    expect(sync.stats().counts["rejected.muted"]).toBeGreaterThan(JUNK / 2);
    expect(longest).toBeLessThan(50);
  }, 60_000);

  it("reads a backlog of packets in slices: no long task, and the real change behind it applies", async () => {
    const BACKLOG = 2_000;
    server();
    const { link, sync } = await join();
    // JSON that parses, each near the 15 KiB limit, but no signed batch: cheap to refuse one by one, long all at once.
    const filler = new TextEncoder().encode(JSON.stringify({ kid: TEST_SYNC_KEY.kid, junk: "x".repeat(14_000) }));
    const tasks = watchTasks();
    // With no sender named (as the server's packets come, or a join not yet announced): never muted, each one read.
    for (let i = 0; i < BACKLOG; i++) void link.deliverRaw(filler, null);
    await link.deliver(batch(6, 6, [upsert(6, said("/real", 6))]));
    await vi.waitFor(() => expect(sync.view?.last).toBe(6), { timeout: 10_000 });
    const longest = tasks.stop();
    console.log(`backlog: ${BACKLOG} packets read, longest task ≤ ${longest.toFixed(1)} ms of CPU`);
    expect(sync.stats().counts["rejected.malformed"]).toBe(BACKLOG);
    // The pump yields every 8 ms; read in one go, this backlog is a task of about 45 ms here.
    expect(longest).toBeLessThan(25);
  });
});

describe("the pump's tally", () => {
  it("counts duplicates, another space's batch, polls and commit → apply lag", async () => {
    server();
    const { link, sync } = await join();
    await link.deliver(batch(6, 6, [upsert(6, said("/six", 6))]));
    await link.deliver(batch(6, 6, [upsert(6, said("/six", 6))]));
    await link.deliver({ ...batch(7, 7, []), space: "@elsewhere" });
    await vi.waitFor(() => expect(sync.stats().counts["rejected.another-space"]).toBe(1));
    link.state("off");
    await vi.waitFor(() => expect(sync.stats().counts.polls).toBeGreaterThan(0));
    const stats = sync.stats();
    expect(stats.counts).toMatchObject({ applied: 1, duplicates: 2, lag: 1 });
    // The fixture's change committed in 2026-11: the lag is however long ago that is, from now.
    expect(stats.lag).toHaveLength(1);
    expect(stats.lag[0]).toBeGreaterThan(0);
    expect(stats.clockOffsetMs).toBe(0);
  });
});
