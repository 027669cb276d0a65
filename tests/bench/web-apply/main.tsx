/**
 * The bench page of tests/bench/web-apply.ts: the app's real sync store (createSpaceSync, which
 * loads its snapshot over HTTP from the bench server) and the app's real MessageList with the app's
 * stylesheet. Only the LiveKit room is replaced, through the store's own `openLink` seam, by a link
 * that reports "connected" and hands packets to the pump exactly where DataReceived would.
 * `window.bench` runs one timed batch at a time.
 */
import { Show } from "solid-js";
import { render } from "solid-js/web";
import type { BeingId, Intention, IntentionId } from "../../../src/shared/entities.ts";
import type { Change, SyncBatch } from "../../../src/shared/sync.ts";
import { FIRST_ROWS } from "../../../src/web/components/conversation-scroll.ts";
import { MessageList } from "../../../src/web/components/message-list.tsx";
import "../../../src/web/styles.css";
import superjson from "superjson";
import { applyChanges, type SpaceState } from "../../../src/web/sync/apply.ts";
import { createOutbox } from "../../../src/web/sync/outbox.ts";
import type { RoomHandlers } from "../../../src/web/sync/room.ts";
import { createSpaceSync } from "../../../src/web/sync/store.ts";
import type { BenchWindow, Figures, Kind } from "./types.ts";

const SPACE = "@bench" as BeingId;
const BATCH = 1_000;

const memory = new Map<string, string>();
const storage = {
  getItem: (key: string) => memory.get(key) ?? null,
  setItem: (key: string, value: string) => void memory.set(key, value),
} as unknown as Storage;
const outbox = createOutbox({ storageKey: "bench", storage });
let handlers!: RoomHandlers;
const sync = createSpaceSync(SPACE, {
  outbox,
  openLink(_spaceId, given) {
    handlers = given;
    setTimeout(() => given.onState("connected"));
    return { close() {}, setTyping() {}, publish: async () => undefined, mayPublish: () => false };
  },
});
const names: Record<string, string> = {};
const author = (id: BeingId) => names[id] ?? sync.view?.beings[id]?.name ?? id;

const mountStarted = performance.now();
render(
  () => (
    <div class="app">
      <header class="topbar">
        <h1 class="space-name">Bench</h1>
      </header>
      <Show when={sync.view}>
        {(view) => (
          <div class="space-body">
            <main class="conversation" aria-label="Conversation in Bench">
              <MessageList sync={sync} view={view()} meId={"@me" as BeingId} author={author} />
            </main>
          </div>
        )}
      </Show>
    </div>
  ),
  document.getElementById("root") as HTMLElement,
);

let appended: IntentionId[] = [];
let round = 0;

const frame = () => new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));
const rows = () => document.querySelectorAll('[data-testid="message"]').length;

/** A plain, Solid-free copy of the state, for timing the pure apply function alone. */
function plainCopy(view: SpaceState): SpaceState {
  return {
    space: { ...view.space },
    beings: { ...view.beings },
    intentions: Object.fromEntries(view.order.map((id) => [id, { ...view.intentions[id] }])) as SpaceState["intentions"],
    order: [...view.order],
    last: view.last,
    hasMore: view.hasMore,
    deleted: view.deleted,
  };
}

/** The batch of `kind`, right after the store's last seq. */
function makeBatch(kind: Kind): SyncBatch {
  const view = sync.view!;
  const from = view.last + 1;
  const at = new Date();
  const changes: Change[] = [];
  round += 1;
  if (kind === "edit") {
    // 1,000 distinct messages spread over the whole conversation, each with new text.
    const stride = Math.floor(view.order.length / BATCH);
    for (let i = 0; i < BATCH; i++) {
      const id = view.order[i * stride + (round % stride)];
      const row = view.intentions[id];
      const data: Intention = { ...row, content: [`edited in round ${round}: **${i}**`], version: row.version + 1, modifiedAt: at };
      changes.push({ seq: from + i, at, kind: "intention", op: "upsert", id, data });
    }
  } else if (kind === "append") {
    // 1,000 new messages after the newest, from the same five people.
    const newest = view.intentions[view.order[view.order.length - 1]].createdAt.getTime();
    appended = [];
    for (let i = 0; i < BATCH; i++) {
      const id = `/Z${String(round).padStart(4, "0")}${String(i).padStart(6, "0")}` as IntentionId;
      appended.push(id);
      const createdAt = new Date(newest + (i + 1) * 1_000);
      const data: Intention = {
        id,
        name: "",
        type: "utterance",
        state: "complete",
        ownerId: `@person-${Math.floor(i / 3) % 5}` as BeingId,
        locationId: SPACE,
        content: [`new message ${i} of round ${round}, with *markdown*`],
        version: 1,
        createdAt,
        modifiedAt: createdAt,
      };
      changes.push({ seq: from + i, at, kind: "intention", op: "upsert", id, data });
    }
  } else {
    // The 1,000 appended by the last "append", deleted: the space is back to 10,000.
    appended.forEach((id, i) => changes.push({ seq: from + i, at, kind: "intention", op: "delete", id }));
  }
  return { v: 1, space: SPACE, from, to: from + changes.length - 1, changes };
}

async function run(kind: Kind): Promise<Figures> {
  const view = sync.view!;
  const batch = makeBatch(kind);
  const rowsBefore = rows();

  // The pure function on a plain copy (the copy is made before the clock starts).
  const plain = plainCopy(view);
  const p0 = performance.now();
  applyChanges(plain, batch.changes, batch.to);
  const pureMs = performance.now() - p0;

  // The packet as the room hands it over: reading it is part of the store's work.
  const packet = new TextEncoder().encode(superjson.stringify(batch));
  // The iteration over the received changes ending marks the end of the store's own work: Solid runs
  // the produce() recipe inside a batch and updates the DOM only after it returns.
  let storeDone = 0;
  const parse = superjson.parse;
  const iterate = Array.prototype[Symbol.iterator];
  superjson.parse = <T,>(text: string): T => {
    const received = parse<SyncBatch>(text);
    Object.defineProperty(received.changes, Symbol.iterator, {
      value: function* (this: Change[]) {
        yield* iterate.call(this) as IterableIterator<Change>;
        storeDone = performance.now();
      },
    });
    return received as T;
  };

  const log = document.querySelector(".message-list")!;
  const observer = new MutationObserver(() => undefined);
  observer.observe(log, { subtree: true, childList: true, attributes: true, characterData: true });
  await frame(); // start at the beginning of a frame, nothing else pending

  const t0 = performance.now();
  handlers.onPacket(packet, undefined);
  const t1 = performance.now();
  superjson.parse = parse;
  void (log.parentElement as HTMLElement).scrollHeight; // style + layout, as the next frame would
  const t2 = performance.now();

  if (sync.view!.last !== batch.to) throw new Error(`the batch was not applied synchronously (last ${sync.view!.last}, batch to ${batch.to})`);
  const records = observer.takeRecords();
  await frame();
  const lateRecords = observer.takeRecords().length;
  observer.disconnect();

  let nodesAdded = 0;
  let nodesRemoved = 0;
  let attributeChanges = 0;
  let textChanges = 0;
  const touched = new Set<Node>();
  const rowOf = (node: Node) => (node instanceof Element ? node : node.parentElement)?.closest('[data-testid="message"]');
  for (const record of records) {
    if (record.type === "attributes") attributeChanges += 1;
    if (record.type === "characterData") textChanges += 1;
    nodesAdded += record.addedNodes.length;
    nodesRemoved += record.removedNodes.length;
    const row = rowOf(record.target);
    if (row) touched.add(row);
    else for (const node of [...record.addedNodes, ...record.removedNodes]) if (node instanceof Element && node.matches('[data-testid="message"]')) touched.add(node);
  }
  return {
    kind,
    changes: batch.changes.length,
    rowsBefore,
    rowsAfter: rows(),
    pureMs,
    storeMs: storeDone - t0,
    domMs: t1 - t0,
    layoutMs: t2 - t0,
    lateRecords,
    records: records.length,
    nodesAdded,
    nodesRemoved,
    attributeChanges,
    textChanges,
    rowsTouched: touched.size,
  };
}

let mountedAt = 0;
(window as unknown as BenchWindow).bench = {
  ready() {
    // Connected, and the catch-up fetch that follows a connect has been answered (nothing may be in flight).
    const caughtUp = performance.getEntriesByType("resource").some((entry) => entry.name.includes("/changes?"));
    const ready =
      caughtUp && sync.status() === "ready" && sync.connection() === "connected" && (sync.view?.order.length ?? 0) > 0 && rows() >= Math.min(sync.view!.order.length, FIRST_ROWS);
    if (ready && !mountedAt) mountedAt = performance.now();
    return ready;
  },
  mountMs: () => mountedAt - mountStarted,
  run,
};
