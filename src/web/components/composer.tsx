/**
 * Where a message is written. Sending hands it to the outbox, so it shows at once and is never lost.
 * While someone composes, the others see it (onTyping: a LiveKit attribute, no request).
 */
import { createSignal, onCleanup, Show } from "solid-js";
import { MAX_TEXT_LENGTH } from "../../shared/limits.ts";
import { MessageInput } from "./message-input.tsx";

export interface ComposerProps {
  spaceName: string;
  onSend(text: string): void;
  /** Whether the person is composing: true while they type, false on send, on blur and after a pause. */
  onTyping?(typing: boolean): void;
}

/** Seconds without a keystroke after which a person no longer counts as typing. */
export const TYPING_IDLE_MS = 4_000;

/** The message box under the conversation. */
export function Composer(props: ComposerProps) {
  const [text, setText] = createSignal("");
  const tooLong = () => text().length > MAX_TEXT_LENGTH;
  let idle: ReturnType<typeof setTimeout> | undefined;
  const stopTyping = () => {
    clearTimeout(idle);
    props.onTyping?.(false);
  };
  const input = (value: string) => {
    setText(value);
    if (!value.trim()) return stopTyping();
    props.onTyping?.(true);
    clearTimeout(idle);
    idle = setTimeout(stopTyping, TYPING_IDLE_MS);
  };
  onCleanup(stopTyping);
  const send = () => {
    const message = text().trim();
    if (!message || tooLong()) return;
    props.onSend(message);
    setText("");
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
      <MessageInput
        id="composer-input"
        label={`Message ${props.spaceName}`}
        placeholder={`Message ${props.spaceName}`}
        value={text()}
        onInput={input}
        onSubmit={send}
        onBlur={stopTyping}
        // Ready to type on arrival, except on touch screens, where focus would throw up the keyboard.
        ref={(element) => globalThis.matchMedia?.("(hover: none)").matches || queueMicrotask(() => element.focus())}
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
