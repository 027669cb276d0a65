/**
 * Marks a space read as the person actually sees it: when the end of the conversation is in the viewport
 * and the page is visible and focused (never merely because it loaded, nor in a background tab), the seq
 * the page has applied is posted as the read point. A post waits for DWELL_MS without news (a message
 * streaming in, a burst: one post once it settles, yet at most MAX_WAIT_MS after the first), and is made
 * only for something new: a newer message by someone else. An edit or one's own message moves the seq but
 * posts nothing, and a space with nothing by others has nothing to read (its read point waits for that).
 * Reading partway counts too: while the end is not seen, the newest message by someone else that is mostly
 * in view (MOSTLY) is posted as read `through`, on the same dwell, when it was unread at opening (at or after
 * the "New" line) and is later, in the conversation's order, than what this page posted before.
 */
import { createEffect, createSignal, onCleanup, type Accessor } from "solid-js";
import type { IntentionId } from "../../shared/entities.ts";
import type { ReadUpTo } from "../api.ts";

/** How long the end stays seen, with nothing new arriving, before it counts as read. */
export const DWELL_MS = 1_000;
/** The longest a due post waits for the conversation to settle. */
export const MAX_WAIT_MS = 10_000;
/** How much of a message row must be in view for it to count as seen. */
export const MOSTLY = 0.6;

export interface ReadMarkerOptions {
  /** The seq the page has applied (undefined before the space is shown). */
  seq: Accessor<number | undefined>;
  /** The newest message by someone else that the page holds. */
  newest: Accessor<IntentionId | undefined>;
  /** The read point the server holds (null: none yet; undefined: not known yet, so nothing is posted). */
  readSeq: Accessor<number | null | undefined>;
  /** Posts the read point, a seq or through a message; resolves once the server has it. */
  post(upTo: ReadUpTo): Promise<unknown>;
  /** The conversation's messages, oldest first. */
  order: Accessor<readonly IntentionId[]>;
  /** The first message unread when the space opened (undefined: none, or not known): partial reads start there. */
  unreadFrom: Accessor<IntentionId | undefined>;
  /** Whether someone other than the reader wrote message `id`. */
  byOthers(id: IntentionId): boolean;
  dwellMs?: number;
  maxWaitMs?: number;
}

/** What the page shows the marker: the element at the conversation's end, and each message row with its id. */
export interface ReadMarker {
  markEnd(end: Element): void;
  markRow(row: Element, id: IntentionId): void;
}

/** Follows what is seen, through the elements the page gives it. */
export function createReadMarker(options: ReadMarkerOptions): ReadMarker {
  const dwellMs = options.dwellMs ?? DWELL_MS;
  const maxWaitMs = options.maxWaitMs ?? MAX_WAIT_MS;
  const [endSeen, setEndSeen] = createSignal(false);
  const [pageSeen, setPageSeen] = createSignal(pageInView());
  const onPage = () => setPageSeen(pageInView());
  for (const event of ["focus", "blur"]) window.addEventListener(event, onPage);
  document.addEventListener("visibilitychange", onPage);
  let observer: IntersectionObserver | undefined;
  // The rows mostly in view, by id; rows are observed as the list renders them.
  const rowIds = new WeakMap<Element, IntentionId>();
  const [rowsSeen, setRowsSeen] = createSignal<ReadonlySet<IntentionId>>(new Set());
  const rows = new IntersectionObserver(
    (entries) => {
      const seen = new Set(rowsSeen());
      for (const entry of entries) {
        const id = rowIds.get(entry.target)!;
        if (entry.isIntersecting && entry.intersectionRatio >= MOSTLY) seen.add(id);
        else seen.delete(id);
        // A row the list removed is out of view for good.
        if (!entry.target.isConnected) rows.unobserve(entry.target);
      }
      setRowsSeen(seen);
    },
    { threshold: [0, MOSTLY] },
  );
  let timer: ReturnType<typeof setTimeout> | undefined;
  let dueSince: number | undefined;
  let posted = -1;
  let postedNewest: IntentionId | undefined;
  onCleanup(() => {
    for (const event of ["focus", "blur"]) window.removeEventListener(event, onPage);
    document.removeEventListener("visibilitychange", onPage);
    observer?.disconnect();
    rows.disconnect();
    clearTimeout(timer);
  });

  /** The post due now, with the newest message by others it reads: the seq when the end is seen, else a message read through. */
  const due = (): { upTo: ReadUpTo; newest: IntentionId } | undefined => {
    const held = options.readSeq();
    if (held === undefined || !pageSeen()) return undefined;
    return endSeen() ? dueSeq(held) : dueThrough();
  };
  const dueSeq = (held: number | null) => {
    const seq = options.seq();
    const newest = options.newest();
    if (seq === undefined || seq <= Math.max(posted, held ?? -1)) return undefined;
    return newest !== undefined && newest !== postedNewest ? { upTo: { seq }, newest } : undefined;
  };
  const dueThrough = () => {
    const order = options.order();
    const from = options.unreadFrom();
    const seen = rowsSeen();
    const at = (id: IntentionId | undefined) => (id === undefined ? -1 : order.indexOf(id));
    const newest = order.findLast((id) => seen.has(id) && options.byOthers(id));
    // Unread at opening (the "New" line still here), and later than what was posted.
    if (newest === undefined || at(from) < 0 || at(newest) < at(from) || at(newest) <= at(postedNewest)) return undefined;
    return { upTo: { through: newest }, newest };
  };
  const post = () => {
    timer = dueSince = undefined;
    const read = due();
    if (read === undefined) return;
    const before = [posted, postedNewest] as const;
    if ("seq" in read.upTo) posted = read.upTo.seq;
    postedNewest = read.newest;
    // A failed post is tried again the next time something new is seen.
    options.post(read.upTo).catch(() => ([posted, postedNewest] = before));
  };
  // Every change to what is due starts the dwell again, within the longest wait.
  createEffect(() => {
    clearTimeout(timer);
    if (due() === undefined) return void (timer = dueSince = undefined);
    dueSince ??= Date.now();
    timer = setTimeout(post, Math.min(dwellMs, Math.max(0, dueSince + maxWaitMs - Date.now())));
  });

  return {
    markEnd(end) {
      observer = new IntersectionObserver((entries) => setEndSeen(entries.some((entry) => entry.isIntersecting)));
      observer.observe(end);
    },
    markRow(row, id) {
      rowIds.set(row, id);
      rows.observe(row);
    },
  };
}

/** The page is in view and has the focus: its person is looking at it. */
function pageInView(): boolean {
  return document.visibilityState === "visible" && document.hasFocus();
}
