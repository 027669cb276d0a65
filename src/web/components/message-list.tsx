/** The conversation: confirmed messages in order, then the ones still on their way, newest at the bottom. */
import { createEffect, createMemo, createSignal, For, on, Show } from "solid-js";
import type { BeingId, IntentionId } from "../../shared/entities.ts";
import { offersRemoval } from "../../shared/moderation.ts";
import type { SpaceState } from "../sync/apply.ts";
import type { SpaceSync } from "../sync/store.ts";
import { loadMarkdown } from "../markdown.ts";
import { createConversationScroll } from "./conversation-scroll.ts";
import { IntentionRow } from "./intention-row.tsx";
import { PendingRows } from "./pending-row.tsx";
import { continuesGroup } from "./time.ts";
import { navigateToMessage } from "../router.ts";
import { ConversationContext, type ConversationFacts } from "./conversation-context.ts";

export interface MessageListProps {
  sync: SpaceSync;
  view: SpaceState;
  meId: BeingId;
  author(id: BeingId): string;
  /** Called once the first screenful of messages is shown (or it is known that none can be). */
  onShown?(): void;
  /** A message to show in its place and highlight briefly (one a search found, a reply quotes), once the list is shown. */
  target?: IntentionId;
  /** Starts a reply to a message in the composer (none: messages offer no Reply). */
  onReply?(id: IntentionId): void;
  /** The first message that was unread when the space opened: the "New" line goes above it. */
  newFrom?: IntentionId;
  /** Takes the element at the conversation's end (seeing it is reading: src/web/unread/read-marker.ts). */
  endRef?(end: Element): void;
  /** Takes each message row with its id (seeing one is reading partway: src/web/unread/read-marker.ts). */
  rowRef?(row: Element, id: IntentionId): void;
}

// How long a message shown from a search stays highlighted.
const HIGHLIGHT_MS = 2_500;

// The newest messages whose pictures load at once: a phone's screen shows about this many with pictures.
const NEWEST_SHOWN_AT_ONCE = 4;

/** The scrolling message log; scrolling to the top loads older history. */
export function MessageList(props: MessageListProps) {
  const pending = createMemo(() => props.sync.pending());
  const lastConfirmed = () => props.view.intentions[shown()[shown().length - 1]!];
  const edits = props.sync.edits;
  const reacting = { me: props.meId, reactions: props.sync.reactions, nameOf: (id: BeingId) => props.author(id) };

  const scroll = createConversationScroll({
    order: () => props.view.order,
    hasMore: () => props.view.hasMore,
    loadOlder: () => props.sync.loadOlder(),
    pendingCount: () => pending().length,
    onShown: () => props.onShown?.(),
  });
  // A row being deleted is gone at once (and back if the server refuses).
  const shown = createMemo(() => scroll.windowed().filter((id) => edits.of(id)?.status !== "deleting"));

  // A message a search found: older pages are loaded until it is here, then it is scrolled to and highlighted.
  let list!: HTMLOListElement;
  const [missing, setMissing] = createSignal(false);
  const revealTarget = async (id: IntentionId) => {
    setMissing(false);
    if (!(await props.sync.reveal(id))) return setMissing(true);
    await scroll.reveal(id);
    const row = list.querySelectorAll<HTMLElement>(":scope > .message")[shown().indexOf(id)];
    if (!row) return setMissing(true);
    row.scrollIntoView({ block: "center" });
    row.classList.add("found");
    setTimeout(() => row.classList.remove("found"), HIGHLIGHT_MS);
  };
  createEffect(on([() => props.target, scroll.filled], ([target, filled]) => target && filled && void revealTarget(target)));

  // Opening a space with more unread than the screen holds: it opens at the "New" line, the first unread message
  // at the top, so they are read from the start (and marked read as they are seen). Once, and only while the reader
  // has not gone anywhere else: not for a search's message, not after they scrolled by hand.
  let openedAtNew = false;
  let readerMoved = false;
  const moved = () => (readerMoved = true);
  const openAtNewLine = async (from: IntentionId) => {
    const scroller = list.parentElement!;
    await scroll.reveal(from);
    // The revealed rows join a few at a time (the list fills in slices): wait for the line, up to 2 s.
    let line: HTMLElement | null = null;
    for (let tick = 0; tick < 125 && !readerMoved && !(line = list.querySelector(":scope > .new-line")); tick++) {
      await new Promise((resolve) => setTimeout(resolve, 16));
    }
    if (!line || readerMoved) return;
    // Where the line is in the whole list (not on screen: the list may not be at its end yet).
    const lineAt = line.getBoundingClientRect().top - scroller.getBoundingClientRect().top + scroller.scrollTop;
    if (scroller.scrollHeight - lineAt <= scroller.clientHeight) return scroll.jumpToNewest();
    line.scrollIntoView({ block: "start" });
  };
  // The first unread message may arrive after the list is shown (a revisit opens from the cache, then catches up).
  createEffect(
    on([() => props.newFrom, scroll.filled, () => props.newFrom !== undefined && props.newFrom in props.view.intentions], ([from, filled, loaded]) => {
      if (!from || !filled || !loaded || openedAtNew || readerMoved || props.target) return;
      openedAtNew = true;
      void openAtNewLine(from);
    }),
  );

  // Normally loading already (the space page starts it with the snapshot); a failed load is retried here.
  const [rendererMissing, setRendererMissing] = createSignal(false);
  loadMarkdown().catch(() => {
    setRendererMissing(true);
    scroll.giveUp();
  });

  const facts: ConversationFacts = {
    meId: props.meId,
    nameOf: (id) => props.view.beings[id]?.name ?? (id === props.meId ? props.author(id) : undefined),
    intention: (id) => props.view.intentions[id],
    author: (id) => props.author(id),
    jumpTo: (id) => navigateToMessage(props.sync.spaceId, id),
    isNewest: (id) => props.view.order.slice(-NEWEST_SHOWN_AT_ONCE).includes(id),
  };

  // Built inside the provider, so every row reads the conversation's facts.
  const conversation = () => (
    <div
      ref={scroll.ref}
      class="messages"
      role="log"
      aria-live="polite"
      aria-relevant="additions"
      aria-label="Conversation"
      aria-busy={props.sync.loadingOlder() || !scroll.filled()}
      tabindex="0"
      onScroll={scroll.onScroll}
      onWheel={moved}
      onTouchMove={moved}
      onKeyDown={moved}
    >
      <Show when={scroll.olderExist()}>
        <button type="button" class="load-older link-button" disabled={props.sync.loadingOlder()} onClick={() => void scroll.loadOlder()}>
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
      <Show when={missing()}>
        <p class="messages-empty" role="status">
          That message is not here any more, or too far back: scroll up to look for it.
        </p>
      </Show>
      <ol ref={list} class="message-list" classList={{ filling: !scroll.filled() }}>
        <Show when={!rendererMissing()}>
          <For each={shown()}>
            {(id, index) => {
              const intention = () => props.view.intentions[id];
              const previous = () => props.view.intentions[shown()[index() - 1]];
              return (
                <>
                  <Show when={id === props.newFrom}>
                    <NewLine />
                  </Show>
                  <Show when={intention()}>
                    <IntentionRow
                      intention={intention()}
                      author={props.author(intention().ownerId)}
                      mine={intention().ownerId === props.meId}
                      removable={offersRemoval(props.view.moderation, intention().ownerId)}
                      startsGroup={!continuesGroup(previous(), intention())}
                      onStop={() => props.sync.stop(id)}
                      edits={edits}
                      reacting={reacting}
                      onReply={props.onReply && (() => props.onReply!(id))}
                      ref={(row) => props.rowRef?.(row, id)}
                    />
                  </Show>
                </>
              );
            }}
          </For>
          <PendingRows
            entries={pending()}
            ownerId={props.meId}
            author={props.author(props.meId)}
            after={lastConfirmed()}
            onRetry={(id) => props.sync.retry(id)}
            onDiscard={(id) => props.sync.discard(id)}
            onDropFile={(id, key) => props.sync.dropFile(id, key)}
          />
        </Show>
      </ol>
      <div ref={(end) => props.endRef?.(end)} class="conversation-end" />
      <Show when={scroll.unseen() > 0}>
        <button type="button" class="button small jump-to-newest" onClick={() => scroll.jumpToNewest()}>
          Jump to newest ({scroll.unseen()} new)
        </button>
      </Show>
    </div>
  );
  return <ConversationContext.Provider value={facts}>{conversation()}</ConversationContext.Provider>;
}

/** Where the messages unread at opening begin; a list item of the log, so a screen reader announces it with them. */
function NewLine() {
  return (
    <li class="new-line">
      <span aria-hidden="true">New</span>
      <span class="sr-only">New messages from here</span>
    </li>
  );
}
