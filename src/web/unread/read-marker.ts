/**
 * Marks a space read as the person actually sees it: when the end of the conversation is in the viewport
 * and the page is visible and focused (never merely because it loaded, nor in a background tab), the seq
 * the page has applied is posted as the read point. A post waits for DWELL_MS without news (a message
 * streaming in, a burst: one post once it settles, yet at most MAX_WAIT_MS after the first), and is made
 * only for something new: a newer message by someone else. An edit or one's own message moves the seq but
 * posts nothing, and a space with nothing by others has nothing to read (its read point waits for that).
 */
import { createEffect, createSignal, onCleanup, type Accessor } from "solid-js";
import type { IntentionId } from "../../shared/entities.ts";

/** How long the end stays seen, with nothing new arriving, before it counts as read. */
export const DWELL_MS = 1_000;
/** The longest a due post waits for the conversation to settle. */
export const MAX_WAIT_MS = 10_000;

export interface ReadMarkerOptions {
  /** The seq the page has applied (undefined before the space is shown). */
  seq: Accessor<number | undefined>;
  /** The newest message by someone else that the page holds. */
  newest: Accessor<IntentionId | undefined>;
  /** The read point the server holds (null: none yet; undefined: not known yet, so nothing is posted). */
  readSeq: Accessor<number | null | undefined>;
  /** Posts the read point; resolves once the server has it. */
  post(seq: number): Promise<unknown>;
  dwellMs?: number;
  maxWaitMs?: number;
}

/** Follows what is seen; returns the ref for the element that marks the conversation's end. */
export function createReadMarker(options: ReadMarkerOptions): (end: Element) => void {
  const dwellMs = options.dwellMs ?? DWELL_MS;
  const maxWaitMs = options.maxWaitMs ?? MAX_WAIT_MS;
  const [endSeen, setEndSeen] = createSignal(false);
  const [pageSeen, setPageSeen] = createSignal(pageInView());
  const onPage = () => setPageSeen(pageInView());
  for (const event of ["focus", "blur"]) window.addEventListener(event, onPage);
  document.addEventListener("visibilitychange", onPage);
  let observer: IntersectionObserver | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let dueSince: number | undefined;
  let posted = -1;
  let postedNewest: IntentionId | undefined;
  onCleanup(() => {
    for (const event of ["focus", "blur"]) window.removeEventListener(event, onPage);
    document.removeEventListener("visibilitychange", onPage);
    observer?.disconnect();
    clearTimeout(timer);
  });

  const due = () => {
    const seq = options.seq();
    const held = options.readSeq();
    if (seq === undefined || held === undefined || !endSeen() || !pageSeen()) return undefined;
    if (seq <= Math.max(posted, held ?? -1)) return undefined;
    const newest = options.newest();
    return newest !== undefined && newest !== postedNewest ? seq : undefined;
  };
  const post = () => {
    timer = dueSince = undefined;
    const seq = due();
    if (seq === undefined) return;
    const newest = options.newest();
    [posted, postedNewest] = [seq, newest];
    // A failed post is tried again the next time something new is seen.
    options.post(seq).catch(() => ([posted, postedNewest] = [-1, undefined]));
  };
  // Every change to what is due starts the dwell again, within the longest wait.
  createEffect(() => {
    clearTimeout(timer);
    if (due() === undefined) return void (timer = dueSince = undefined);
    dueSince ??= Date.now();
    timer = setTimeout(post, Math.min(dwellMs, Math.max(0, dueSince + maxWaitMs - Date.now())));
  });

  return (end) => {
    observer = new IntersectionObserver((entries) => setEndSeen(entries.some((entry) => entry.isIntersecting)));
    observer.observe(end);
  };
}

/** The page is in view and has the focus: its person is looking at it. */
function pageInView(): boolean {
  return document.visibilityState === "visible" && document.hasFocus();
}
