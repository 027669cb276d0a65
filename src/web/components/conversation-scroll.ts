/** The conversation's scrolling: which rows are rendered, the first screenful filled in slices, following the bottom, older rows on scrolling up. */
import { createEffect, createMemo, createSignal, on, onCleanup, onMount, untrack, type Accessor } from "solid-js";
import type { IntentionId } from "../../shared/entities.ts";

// Within this many pixels of an edge counts as being at it.
const EDGE_PX = 120;
// Opening a space renders its newest rows, as many as fill the screen (FIRST_ROWS where nothing is laid
// out to measure); older loaded ones join WINDOW_STEP at a time as the reader scrolls up. Rendering every
// loaded row at once (100 rows of Markdown) was a 0.5 s task on a phone, in which nobody could scroll
// or type; and a space can hold thousands of loaded messages.
export const FIRST_ROWS = 16;
export const WINDOW_STEP = 20;
// Even a screenful of rows is a long task on a phone (each is Markdown to render): they are added one
// by one, the newest first, and the main thread is yielded to the browser every SLICE_MS.
const SLICE_MS = 5;
// A message shown from a search has this many rows rendered above it, for its context.
const REVEAL_CONTEXT = 5;

export interface ConversationScrollSource {
  /** The loaded messages, oldest first. */
  order: Accessor<readonly IntentionId[]>;
  /** Older messages exist on the server. */
  hasMore: Accessor<boolean>;
  /** Fetches a page of older messages. */
  loadOlder(): Promise<unknown>;
  /** How many of my messages are still on their way (shown below the loaded ones). */
  pendingCount: Accessor<number>;
  /** Called once the first screenful is shown. */
  onShown?(): void;
}

export interface ConversationScroll {
  /** Takes the scrolling element. */
  ref(element: HTMLDivElement): void;
  /** The rendered rows: the newest of `order`. */
  windowed: Accessor<readonly IntentionId[]>;
  /** The first screenful is in: until then the list is hidden, so nothing moves on screen as it fills. */
  filled: Accessor<boolean>;
  /** Older messages exist (loaded but not rendered, or only on the server): scrolling up shows them. */
  olderExist(): boolean;
  /** Shows older rows (rendered ones first, then a page from the server), keeping the same messages in view. */
  loadOlder(): Promise<void>;
  /** The scrolling element's scroll handler: whether to follow the bottom, and loading older rows at the top. */
  onScroll(): void;
  /** Stops filling and shows what is there (the rows cannot be rendered): `onShown` is still called once. */
  giveUp(): void;
  /** Renders the rows down from a loaded message (and a few above it); resolves once they are in the document. */
  reveal(id: IntentionId): Promise<void>;
  /** How many messages arrived below while the reader was reading history (0 at the bottom). */
  unseen: Accessor<number>;
  /** Scrolls to the newest message and follows the bottom again. */
  jumpToNewest(): void;
}

/** The rows to render and the scroll position of a conversation's scrolling element (see `ref`). */
export function createConversationScroll(source: ConversationScrollSource): ConversationScroll {
  let scroller!: HTMLDivElement;
  // Follow new messages only while the reader is at the bottom; never yank them away from history.
  let following = true;

  // Only the newest rows are rendered; older loaded ones join as the reader scrolls up.
  const [windowRows, setWindowRows] = createSignal(0);
  const windowed = createMemo(() => {
    const order = source.order();
    return order.length <= windowRows() ? order : order.slice(order.length - windowRows());
  });
  const hiddenRows = () => source.order().length - windowed().length;

  const scrollToBottom = () => {
    scroller.scrollTop = scroller.scrollHeight;
  };
  const [unseen, setUnseen] = createSignal(0);
  const follow = () => {
    following = true;
    setUnseen(0);
  };
  /** Runs `grow`, which adds rows above, keeping the same messages in view. */
  const keepingPlace = async (grow: () => unknown) => {
    const fromBottom = scroller.scrollHeight - scroller.scrollTop;
    await grow();
    scroller.scrollTop = scroller.scrollHeight - fromBottom;
  };
  const loadOlder = () => keepingPlace(() => (hiddenRows() > 0 ? setWindowRows(windowRows() + WINDOW_STEP) : source.loadOlder()));

  /**
   * Adds rows above the shown ones until they fill the screen, a slice of SLICE_MS per task. The list is
   * shown when full, scrolled to its end: nothing moves on screen while it fills.
   */
  const [filled, setFilled] = createSignal(false);
  const showList = () => {
    setFilled(true);
    source.onShown?.();
  };
  let fillTimer: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => clearTimeout(fillTimer));
  const fillScreen = () => {
    // A scroller with no height is not laid out (hidden, or no layout at all): there is no screen to measure.
    if (scroller.clientHeight === 0) {
      setWindowRows(Math.max(windowRows(), FIRST_ROWS));
      return showList();
    }
    const sliceEnd = performance.now() + SLICE_MS;
    // Measured once per slice, before adding: at most one layout per slice (none when a frame was painted
    // since the last one), where measuring after each row forced one per row. The last slice may add a
    // few rows more than the screen needs; they sit above it. Full means past the screen by an edge's
    // height, so that a reader at the bottom is not at the top edge too (which loads more).
    if (hiddenRows() > 0 && scroller.scrollHeight <= scroller.clientHeight + EDGE_PX) {
      do setWindowRows(windowRows() + 1);
      while (hiddenRows() > 0 && performance.now() < sliceEnd);
      return void (fillTimer = setTimeout(fillScreen));
    }
    scrollToBottom();
    showList();
  };
  const olderExist = () => source.hasMore() || hiddenRows() > 0;
  const onScroll = () => {
    if (!filled()) return;
    if (scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < EDGE_PX) follow();
    else following = false;
    if (scroller.scrollTop < EDGE_PX && olderExist()) void loadOlder();
  };
  // In a task of its own: after the page around it has painted, and outside the render, where Solid
  // defers the DOM updates of each added row (the height would never change). Rows do not wait for the
  // Markdown renderer: until it is here they show their text as written.
  fillTimer = setTimeout(fillScreen);
  const giveUp = () => {
    clearTimeout(fillTimer);
    if (!filled()) showList();
  };

  // A reply streaming grows the last row without adding one: a reader at the bottom stays there; one
  // reading history keeps their place, since the growth is below what they see.
  onMount(() => {
    if (typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(() => following && scrollToBottom());
    observer.observe(scroller.querySelector(".message-list")!);
    onCleanup(() => observer.disconnect());
  });
  // New messages below: followed, or counted for the reader up in the history (the rows after the one
  // that was last; none when that one was deleted, which is no new message).
  const newestOf = (order: readonly IntentionId[]) => order[order.length - 1];
  let newest = newestOf(untrack(source.order));
  createEffect(
    on(
      () => newestOf(source.order()),
      (last) => {
        const previous = newest;
        newest = last;
        if (following) return scrollToBottom();
        const order = untrack(source.order);
        const before = previous === undefined ? -1 : order.lastIndexOf(previous);
        if (previous === undefined || before >= 0) setUnseen(untrack(unseen) + order.length - 1 - before);
      },
      { defer: true },
    ),
  );
  // Rows that arrive (new ones below, a page of history above) join the shown ones: nobody loses the
  // rows they are reading.
  let rowsKnown = source.order().length;
  createEffect(() => {
    const rows = source.order().length;
    if (rows > rowsKnown) setWindowRows(untrack(windowRows) + rows - rowsKnown);
    rowsKnown = rows;
  });
  // What I just wrote is always worth seeing.
  createEffect(
    on(source.pendingCount, (count, previous = 0) => count > previous && scrollToBottom(), { defer: true }),
  );

  const reveal = async (id: IntentionId) => {
    // The reader is going to a message: new rows and growing ones no longer pull the list to the bottom.
    following = false;
    const index = source.order().indexOf(id);
    if (index >= 0) setWindowRows(Math.max(windowRows(), source.order().length - index + REVEAL_CONTEXT));
    // Solid puts the added rows in after this task.
    await new Promise((resolve) => setTimeout(resolve));
  };

  const jumpToNewest = () => {
    follow();
    scrollToBottom();
  };

  return { ref: (element) => (scroller = element), windowed, filled, olderExist, loadOlder, onScroll, giveUp, reveal, unseen, jumpToNewest };
}
