/** The reaction picker: a few common emoji, and a field for any other (checked as the server will check it). */
import { createSignal, Show } from "solid-js";
import { isEmoji, MAX_EMOJI_LENGTH } from "../../shared/emoji.ts";

/** The emoji offered first. */
export const COMMON_REACTIONS = ["👍", "❤️", "😂", "🎉", "😮", "😢"];

// Names the error of each picker opened, for its field's aria-describedby.
let opened = 0;

export interface ReactionPickerProps {
  onPick(emoji: string): void;
  /** Escape: closed without a pick. */
  onClose(): void;
}

/** Opens with focus on the first emoji; Tab reaches the rest and the field, Escape closes. */
export function ReactionPicker(props: ReactionPickerProps) {
  const [text, setText] = createSignal("");
  const [error, setError] = createSignal<string>();
  const errorId = `reaction-error-${++opened}`;
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const emoji = text().trim();
    if (!isEmoji(emoji)) return setError("Type or paste one emoji.");
    props.onPick(emoji);
  };
  return (
    <div
      class="reaction-picker"
      role="group"
      aria-label="Pick a reaction"
      onKeyDown={(event) => {
        if (event.key !== "Escape") return;
        event.stopPropagation();
        props.onClose();
      }}
    >
      {COMMON_REACTIONS.map((emoji, index) => (
        <button
          type="button"
          class="reaction"
          ref={(button) => index === 0 && queueMicrotask(() => button.focus())}
          aria-label={`React with ${emoji}`}
          onClick={() => props.onPick(emoji)}
        >
          {emoji}
        </button>
      ))}
      <form class="reaction-other" onSubmit={submit}>
        <input
          class="input"
          aria-label="Any emoji"
          placeholder="Any emoji"
          maxLength={MAX_EMOJI_LENGTH}
          value={text()}
          aria-invalid={error() ? true : undefined}
          aria-describedby={error() ? errorId : undefined}
          onInput={(event) => {
            setText(event.currentTarget.value);
            setError(undefined);
          }}
        />
        <button type="submit" class="button small">
          React
        </button>
      </form>
      <Show when={error()}>
        <p class="message-status" id={errorId} role="alert">
          {error()}
        </p>
      </Show>
    </div>
  );
}
