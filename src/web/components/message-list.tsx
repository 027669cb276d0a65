/** The conversation: confirmed messages in order, then the ones still on their way, newest at the bottom. */
import { createEffect, createMemo, createSignal, For, on, onCleanup, onMount, Show, untrack } from "solid-js";
import type { BeingId, Intention } from "../../shared/entities.ts";
import type { SpaceState } from "../sync/apply.ts";
import type { Outbox } from "../sync/outbox.ts";
import type { SpaceSync } from "../sync/store.ts";
import { loadMarkdown } from "../markdown.ts";
import { IntentionRow } from "./intention-row.tsx";
import { PendingRow } from "./pending-row.tsx";
import { createEdits } from "../sync/edits.ts";
import { continuesGroup } from "./time.ts";

export interface MessageListProps {
  sync: SpaceSync;
  view: SpaceState;
  outbox: Outbox;
  meId: BeingId;
  author(id: BeingId): string;
  /** Called once the first screenful of messages is shown (or it is known that none can be). */
  onShown?(): void;
}

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

/** The scrolling message log; scrolling to the top loads older history. */
export function MessageList(props: MessageListProps) {
  let scroller!: HTMLDivElement;
  // Follow new messages only while the reader is at the bottom; never yank them away from history.
  let following = true;

  const pending = createMemo(() =>
    props.outbox.entries.filter((entry) => entry.spaceId === props.view.space.id && !props.view.intentions[entry.id]),
  );
  // Who may stop a bot's reply: the server's rule (may_change_intention), so the button shows only where it works.
  const mayStop = (intention: Intention) =>
    intention.state === "active" &&
    intention.askerId !== undefined &&
    (props.meId === intention.askerId ||
      props.meId === props.view.beings[intention.ownerId]?.ownerId ||
      props.meId === props.view.space.ownerId);
  const lastConfirmed = () => props.view.intentions[shown()[shown().length - 1]!];
  const edits = createEdits({
    onSaved: (intention, seq) => props.sync.acceptWrite(intention, seq),
    onDeleted: (id) => props.sync.acceptDelete(id),
  });

  // Only the newest rows are rendered; older loaded ones join as the reader scrolls up.
  const [windowRows, setWindowRows] = createSignal(0);
  const windowed = createMemo(() => {
    const order = props.view.order;
    return order.length <= windowRows() ? order : order.slice(order.length - windowRows());
  });
  const hiddenRows = () => props.view.order.length - windowed().length;
  // A row being deleted is gone at once (and back if the server refuses).
  const shown = createMemo(() => windowed().filter((id) => edits.of(id)?.status !== "deleting"));

  const scrollToBottom = () => {
    scroller.scrollTop = scroller.scrollHeight;
  };
  /** Runs `grow`, which adds rows above, keeping the same messages in view. */
  const keepingPlace = async (grow: () => unknown) => {
    const fromBottom = scroller.scrollHeight - scroller.scrollTop;
    await grow();
    scroller.scrollTop = scroller.scrollHeight - fromBottom;
  };
  const loadOlder = () =>
    keepingPlace(() => (hiddenRows() > 0 ? setWindowRows(windowRows() + WINDOW_STEP) : props.sync.loadOlder()));
  /**
   * Adds rows above the shown ones until they fill the screen, a slice of SLICE_MS per task. The list is
   * shown when full, scrolled to its end: nothing moves on screen while it fills.
   */
  const [filled, setFilled] = createSignal(false);
  const showList = () => {
    setFilled(true);
    props.onShown?.();
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
  const olderExist = () => props.view.hasMore || hiddenRows() > 0;
  const onScroll = () => {
    if (!filled()) return;
    following = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < EDGE_PX;
    if (scroller.scrollTop < EDGE_PX && olderExist()) void loadOlder();
  };

  // Normally loading already (the space page starts it with the snapshot); a failed load is retried here.
  // Rows do not wait for it: until it is here they show their text as written.
  const [rendererMissing, setRendererMissing] = createSignal(false);
  loadMarkdown().catch(() => {
    setRendererMissing(true);
    clearTimeout(fillTimer);
    if (!filled()) showList();
  });
  // In a task of its own: after the page around it has painted, and outside the render, where Solid
  // defers the DOM updates of each added row (the height would never change).
  fillTimer = setTimeout(fillScreen);
  // A reply streaming grows the last row without adding one: a reader at the bottom stays there; one
  // reading history keeps their place, since the growth is below what they see.
  onMount(() => {
    if (typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(() => following && scrollToBottom());
    observer.observe(scroller.querySelector(".message-list")!);
    onCleanup(() => observer.disconnect());
  });
  createEffect(on(() => props.view.order[props.view.order.length - 1], () => following && scrollToBottom(), { defer: true }));
  // Rows that arrive (new ones below, a page of history above) join the shown ones: nobody loses the
  // rows they are reading.
  let rowsKnown = props.view.order.length;
  createEffect(() => {
    const rows = props.view.order.length;
    if (rows > rowsKnown) setWindowRows(untrack(windowRows) + rows - rowsKnown);
    rowsKnown = rows;
  });
  // What I just wrote is always worth seeing.
  createEffect(
    on(
      () => pending().length,
      (count, previous = 0) => count > previous && scrollToBottom(),
      { defer: true },
    ),
  );

  return (
    <div
      ref={scroller}
      class="messages"
      role="log"
      aria-live="polite"
      aria-relevant="additions"
      aria-label="Conversation"
      aria-busy={props.sync.loadingOlder() || !filled()}
      tabindex="0"
      onScroll={onScroll}
    >
      <Show when={olderExist()}>
        <button type="button" class="load-older link-button" disabled={props.sync.loadingOlder()} onClick={() => void loadOlder()}>
          {props.sync.loadingOlder() ? "Loading…" : "Load older messages"}
        </button>
      </Show>
      <Show when={!props.view.hasMore && props.view.order.length + pending().length === 0}>
        <p class="messages-empty">Nothing has been said here yet. Say hello.</p>
      </Show>
      <Show when={rendererMissing()}>
        <p class="messages-empty" role="alert">
          The messages could not be shown: reload to try again.
        </p>
      </Show>
      <ol class="message-list" classList={{ filling: !filled() }}>
        <Show when={!rendererMissing()}>
          <For each={shown()}>
            {(id, index) => {
              const intention = () => props.view.intentions[id];
              const previous = () => props.view.intentions[shown()[index() - 1]];
              return (
                <Show when={intention()}>
                  <IntentionRow
                    intention={intention()}
                    author={props.author(intention().ownerId)}
                    mine={intention().ownerId === props.meId}
                    startsGroup={!continuesGroup(previous(), intention())}
                    canStop={mayStop(intention())}
                    onSaved={(row, seq) => props.sync.acceptWrite(row, seq)}
                    edits={edits}
                  />
                </Show>
              );
            }}
          </For>
          <For each={pending()}>
            {(entry, index) => {
              const row = () => ({ ownerId: props.meId, createdAt: new Date(entry.createdAt) });
              const previous = () => {
                const before = pending()[index() - 1];
                return before ? { ownerId: props.meId, createdAt: new Date(before.createdAt) } : lastConfirmed();
              };
              return (
                <PendingRow
                  entry={entry}
                  ownerId={props.meId}
                  author={props.author(props.meId)}
                  startsGroup={!continuesGroup(previous(), row())}
                  onRetry={() => props.outbox.retry(entry.id)}
                  onDiscard={() => props.outbox.discard(entry.id)}
                />
              );
            }}
          </For>
        </Show>
      </ol>
    </div>
  );
}
