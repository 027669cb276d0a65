/**
 * Marks a space read as the person actually sees it: when the end of the conversation is in the viewport
 * and the page is visible and focused (never merely because it loaded, nor in a background tab), the seq
 * the page has applied is posted as the read point. Posts wait DWELL_MS and are batched: whatever arrives
 * meanwhile goes with the same post, and nothing is posted that the server already has.
 */
import { createEffect, createSignal, onCleanup, type Accessor } from "solid-js";

/** How long the end stays seen before it counts as read (a glance while scrolling past does not). */
export const DWELL_MS = 1_000;

export interface ReadMarkerOptions {
  /** The seq the page has applied (undefined before the space is shown). */
  seq: Accessor<number | undefined>;
  /** The read point the server holds (null: none yet; undefined: not known yet, so nothing is posted). */
  readSeq: Accessor<number | null | undefined>;
  /** Posts the read point; resolves once the server has it. */
  post(seq: number): Promise<unknown>;
  dwellMs?: number;
}

/** Follows what is seen; returns the ref for the element that marks the conversation's end. */
export function createReadMarker(options: ReadMarkerOptions): (end: Element) => void {
  const [endSeen, setEndSeen] = createSignal(false);
  const [pageSeen, setPageSeen] = createSignal(pageInView());
  const onPage = () => setPageSeen(pageInView());
  for (const event of ["focus", "blur"]) window.addEventListener(event, onPage);
  document.addEventListener("visibilitychange", onPage);
  let observer: IntersectionObserver | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let posted = -1;
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
    return seq > Math.max(posted, held ?? -1) ? seq : undefined;
  };
  const post = () => {
    timer = undefined;
    const seq = due();
    if (seq === undefined) return;
    posted = seq;
    // A failed post is tried again the next time something is seen.
    options.post(seq).catch(() => (posted = -1));
  };
  createEffect(() => {
    if (due() === undefined) {
      clearTimeout(timer);
      timer = undefined;
    } else timer ??= setTimeout(post, options.dwellMs ?? DWELL_MS);
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
