/** "Ada is typing…": who else in the space is composing a message, folded when there are many. */
import { Show } from "solid-js";

/** The line for these names, or "" for nobody. */
export function typingLine(names: readonly string[]): string {
  if (names.length === 0) return "";
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length <= 3) return `${names.slice(0, -1).join(", ")} and ${names.at(-1)} are typing…`;
  return `${names.slice(0, 2).join(", ")} and ${names.length - 2} others are typing…`;
}

/** Always rendered (empty when nobody types), so screen readers announce it and the layout does not jump. */
export function TypingIndicator(props: { names: readonly string[] }) {
  return (
    <p class="typing" aria-live="polite">
      <Show when={props.names.length > 0}>{typingLine(props.names)}</Show>
    </p>
  );
}
