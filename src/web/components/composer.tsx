/** Where a message is written. Sending hands it to the outbox, so it shows at once and is never lost. */
import { createSignal, Show } from "solid-js";
import { MAX_TEXT_LENGTH } from "../../shared/schemas.ts";
import { MessageInput } from "./message-input.tsx";

export interface ComposerProps {
  spaceName: string;
  onSend(text: string): void;
}

/** The message box under the conversation. */
export function Composer(props: ComposerProps) {
  const [text, setText] = createSignal("");
  const tooLong = () => text().length > MAX_TEXT_LENGTH;
  const send = () => {
    const message = text().trim();
    if (!message || tooLong()) return;
    props.onSend(message);
    setText("");
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
        onInput={setText}
        onSubmit={send}
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
