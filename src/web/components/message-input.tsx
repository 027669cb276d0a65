/** The text box used to write and to edit: Enter submits, Shift+Enter breaks the line. */
import type { JSX } from "solid-js";

export interface MessageInputProps {
  value: string;
  onInput(value: string): void;
  onSubmit(): void;
  onBlur?(): void;
  /** Sees each key first: one it prevents (a suggestion list took it) is not the box's. */
  onKeyDown?(event: KeyboardEvent): void;
  /** A list of suggestions the box drives (its id), open, and the option chosen so far. */
  suggestions?: { id: string; active?: string };
  label: string;
  placeholder?: string;
  id?: string;
  ref?: (element: HTMLTextAreaElement) => void;
}

/** A self-sizing textarea with the conversation's keyboard rules. */
export function MessageInput(props: MessageInputProps) {
  const onKeyDown: JSX.EventHandler<HTMLTextAreaElement, KeyboardEvent> = (event) => {
    props.onKeyDown?.(event);
    if (event.defaultPrevented) return;
    // isComposing: Enter also confirms an IME composition (Japanese, Chinese…), which must not send.
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      props.onSubmit();
    }
  };
  return (
    <textarea
      ref={props.ref}
      id={props.id}
      class="message-input"
      rows={1}
      aria-label={props.label}
      aria-autocomplete={props.suggestions ? "list" : undefined}
      aria-controls={props.suggestions?.id}
      aria-activedescendant={props.suggestions?.active}
      placeholder={props.placeholder}
      value={props.value}
      onInput={(event) => props.onInput(event.currentTarget.value)}
      onKeyDown={onKeyDown}
      onBlur={() => props.onBlur?.()}
    />
  );
}
