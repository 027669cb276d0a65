/**
 * Where a message is written. Sending hands it to the outbox, so it shows at once and is never lost.
 * While someone composes, the others see it (onTyping: a LiveKit attribute, no request).
 * Typing `@` offers beings to mention (mention-suggestions.ts); a picked one is sent as a mention node.
 */
import { createSignal, For, onCleanup, Show } from "solid-js";
import type { Being, ContentNode, IntentionId } from "../../shared/entities.ts";
import { MAX_TEXT_LENGTH } from "../../shared/limits.ts";
import { draftContent, type PickedMention } from "./draft.ts";
import { createMentionSuggestions } from "./mention-suggestions.ts";
import { MessageInput } from "./message-input.tsx";

/** The message a draft replies to, as the bar above the box shows it. */
export interface ReplyingTo {
  id: IntentionId;
  author: string;
  snippet: string;
}

export interface ComposerProps {
  spaceName: string;
  onSend(content: ContentNode[]): void;
  /** Whether the person is composing: true while they type, false on send, on blur and after a pause. */
  onTyping?(typing: boolean): void;
  /** The beings in the space: the first the `@` list offers. */
  here?(): readonly Being[];
  /** The message being replied to, if any; sending or cancelling ends the reply (onCancelReply). */
  replyingTo?: ReplyingTo;
  onCancelReply?(): void;
}

/** Seconds without a keystroke after which a person no longer counts as typing. */
export const TYPING_IDLE_MS = 4_000;

/** The message box under the conversation. */
export function Composer(props: ComposerProps) {
  const [text, setText] = createSignal("");
  const [picked, setPicked] = createSignal<PickedMention[]>([]);
  const suggestions = createMentionSuggestions(() => props.here?.() ?? []);
  let box: HTMLTextAreaElement | undefined;
  const tooLong = () => text().length > MAX_TEXT_LENGTH;
  let idle: ReturnType<typeof setTimeout> | undefined;
  const stopTyping = () => {
    clearTimeout(idle);
    props.onTyping?.(false);
  };
  const input = (value: string) => {
    setText(value);
    suggestions.follow(value, box?.selectionStart ?? value.length);
    if (!value.trim()) return stopTyping();
    props.onTyping?.(true);
    clearTimeout(idle);
    idle = setTimeout(stopTyping, TYPING_IDLE_MS);
  };
  onCleanup(stopTyping);

  /** Puts "@Name " in place of the `@` being typed, and keeps who it names. */
  const pick = (being: Being) => {
    const at = suggestions.typed();
    if (!at || !box) return;
    const caret = box.selectionStart;
    const mention = `@${being.name} `;
    const next = text().slice(0, at.start) + mention + text().slice(caret);
    setPicked([...picked().filter((known) => known.name !== being.name), { id: being.id, name: being.name }]);
    box.value = next;
    box.setSelectionRange(at.start + mention.length, at.start + mention.length);
    input(next);
    box.focus();
  };

  const send = () => {
    const message = text().trim();
    if (!message || tooLong()) return;
    props.onSend(draftContent(message, picked(), props.replyingTo?.id));
    setText("");
    setPicked([]);
    suggestions.close();
    props.onCancelReply?.();
    stopTyping();
  };
  return (
    <form
      class="composer"
      onSubmit={(event) => {
        event.preventDefault();
        send();
      }}
    >
      <Show when={props.replyingTo}>
        {(reply) => (
          <div class="replying-to">
            <p>
              Replying to <strong>{reply().author}</strong>: <span class="replying-to-text">{reply().snippet}</span>
            </p>
            <button type="button" class="link-button" onClick={() => props.onCancelReply?.()} aria-label="Cancel reply">
              Cancel
            </button>
          </div>
        )}
      </Show>
      <Show when={suggestions.open()}>
        <ul id={suggestions.listId} class="mention-list" role="listbox" aria-label="Mention someone">
          <For each={suggestions.options()}>
            {(being, index) => (
              <li
                id={suggestions.optionId(index())}
                role="option"
                aria-selected={index() === suggestions.active()}
                // The box keeps the focus (and the caret) while a name is picked with the pointer.
                onPointerDown={(event) => event.preventDefault()}
                onClick={() => pick(being)}
                onPointerEnter={() => suggestions.setActive(index())}
              >
                {being.name}
                <Show when={being.type === "bot"}>
                  <span class="mention-kind"> (bot)</span>
                </Show>
              </li>
            )}
          </For>
        </ul>
      </Show>
      <MessageInput
        id="composer-input"
        label={`Message ${props.spaceName}`}
        placeholder={`Message ${props.spaceName}`}
        value={text()}
        onInput={input}
        onSubmit={send}
        onKeyDown={(event) => suggestions.onKeyDown(event, pick)}
        suggestions={suggestions.open() ? { id: suggestions.listId, active: suggestions.optionId(suggestions.active()) } : undefined}
        onBlur={() => {
          stopTyping();
          suggestions.close();
        }}
        ref={(element) => {
          box = element;
          // Ready to type on arrival, except on touch screens, where focus would throw up the keyboard.
          if (!globalThis.matchMedia?.("(hover: none)").matches) queueMicrotask(() => element.focus());
        }}
      />
      <button type="submit" class="button primary" disabled={!text().trim() || tooLong()}>
        Send
      </button>
      <Show when={tooLong()}>
        <p class="composer-hint" role="alert">
          {text().length - MAX_TEXT_LENGTH} characters over the limit of {MAX_TEXT_LENGTH}.
        </p>
      </Show>
    </form>
  );
}
