/**
 * The quote above a reply: who wrote the original and its first line, as plain text; selecting it shows
 * the original in its place (loading older history if it must). An original that is not loaded is asked
 * for once (GET /api/intentions/:id); one the server no longer has, or will not show, reads as deleted.
 */
import { createEffect, Match, on, Switch, useContext } from "solid-js";
import { createStore } from "solid-js/store";
import type { Intention, IntentionId } from "../../shared/entities.ts";
import { contentText } from "../../shared/content.ts";
import { ApiError } from "../../shared/errors.ts";
import { getIntention, untilLoaded } from "../api.ts";
import { ConversationContext } from "./conversation-context.ts";

// The longest first line a reply's quote (or the bar of a reply being written) shows; the rest is in the original.
const SNIPPET_LENGTH = 140;

/** The first line of a message, short enough to quote. */
export function snippetOf(intention: Intention): string {
  const line = contentText(intention.content).trim().split("\n")[0]!;
  return line.length > SNIPPET_LENGTH ? `${line.slice(0, SNIPPET_LENGTH - 1)}…` : line;
}

// Originals fetched, per page load: null when the server answered that there is none to read.
const [fetched, setFetched] = createStore<Record<IntentionId, Intention | null | undefined>>({});
const asked = new Set<IntentionId>();

/** The original if loaded or fetched; undefined while it is being asked for, null when deleted (or not mine to read). */
function originalOf(id: IntentionId, loaded: Intention | undefined): Intention | null | undefined {
  if (loaded) return loaded;
  if (!asked.has(id)) {
    asked.add(id);
    untilLoaded(() => getIntention(id)).then(
      (intention) => setFetched(id, intention),
      (error: unknown) => error instanceof ApiError && error.code === "NOT_FOUND" && setFetched(id, null),
    );
  }
  return fetched[id];
}

/** The quote of the message `to` a reply answers. */
export function ReplyQuote(props: { to: IntentionId }) {
  const facts = useContext(ConversationContext)!;
  const original = () => originalOf(props.to, facts.intention(props.to));
  // An original that leaves the conversation was deleted (or dropped with older history, on a resync): ask again.
  createEffect(
    on(
      () => facts.intention(props.to),
      (now, before) => {
        if (!before || now) return;
        asked.delete(props.to);
        setFetched(props.to, undefined);
      },
      { defer: true },
    ),
  );
  return (
    <Switch fallback={<p class="reply-quote">…</p>}>
      <Match when={original() === null}>
        <p class="reply-quote gone">Original message deleted</p>
      </Match>
      <Match when={original()}>
        {(found) => (
          <button
            type="button"
            class="reply-quote"
            onClick={() => facts.jumpTo(props.to)}
            aria-label={`In reply to ${facts.author(found().ownerId)}: ${snippetOf(found())}`}
            title="Show the original message"
          >
            <span class="reply-quote-author">{facts.author(found().ownerId)}</span> <span class="reply-quote-text">{snippetOf(found())}</span>
          </button>
        )}
      </Match>
    </Switch>
  );
}
