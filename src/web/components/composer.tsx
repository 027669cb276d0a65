/**
 * Where a message is written. Sending hands it to the outbox, so it shows at once and is never lost.
 * While someone composes, the others see it (onTyping: a LiveKit attribute, no request).
 * Typing `@` offers beings to mention (composer-extras.tsx); a picked one is sent as a mention node.
 * Files (picked, pasted or dropped: src/web/attach/) go with the message, its text their caption.
 */
import { createSignal, lazy, onCleanup, Show } from "solid-js";
import type { Being, BeingId, ContentNode, Intention } from "../../shared/entities.ts";
import { MAX_TEXT_LENGTH } from "../../shared/limits.ts";
import type { OutboxFile } from "../sync/outbox.ts";
import { draftContent } from "./draft.ts";
import type { MentionSuggestions } from "./composer-extras.tsx";
import { MessageInput } from "./message-input.tsx";

/** The message a draft replies to, and its author's name. */
export interface ReplyingTo {
  original: Intention;
  author: string;
}

export interface ComposerProps {
  spaceId: BeingId;
  spaceName: string;
  /** Sends the message; with files, the content is their caption (and may be empty). */
  onSend(content: ContentNode[], files: OutboxFile[]): void;
  /** Whether the person is composing: true while they type, false on send, on blur and after a pause. */
  onTyping?(typing: boolean): void;
  /** The beings in the space: the first the `@` list offers. */
  here?(): readonly Being[];
  /** The message being replied to, if any; sending or cancelling ends the reply (onCancelReply). */
  replyingTo?: ReplyingTo;
  onCancelReply?(): void;
  /** Where files may be dropped to attach them (the conversation), besides the composer. */
  dropArea?(): HTMLElement | undefined;
}

// The `@` list and the reply bar are not needed for the first paint: their code comes just after it.
const ComposerExtras = lazy(() => import("./composer-extras.tsx").then((module) => ({ default: module.ComposerExtras })));
const AttachControls = lazy(() => import("../attach/attach-controls.tsx").then((module) => ({ default: module.AttachControls })));

/** Seconds without a keystroke after which a person no longer counts as typing. */
export const TYPING_IDLE_MS = 4_000;

/** The message box under the conversation. */
export function Composer(props: ComposerProps) {
  const [text, setText] = createSignal("");
  const [suggestions, setSuggestions] = createSignal<MentionSuggestions>();
  const [files, setFiles] = createSignal<OutboxFile[]>([]);
  let box: HTMLTextAreaElement | undefined;
  let form: HTMLFormElement | undefined;
  const tooLong = () => text().length > MAX_TEXT_LENGTH;
  let idle: ReturnType<typeof setTimeout> | undefined;
  const stopTyping = () => {
    clearTimeout(idle);
    props.onTyping?.(false);
  };
  const input = (value: string) => {
    setText(value);
    suggestions()?.follow(value, box?.selectionStart ?? value.length);
    if (!value.trim()) return stopTyping();
    props.onTyping?.(true);
    clearTimeout(idle);
    idle = setTimeout(stopTyping, TYPING_IDLE_MS);
  };
  onCleanup(stopTyping);

  const send = () => {
    const message = text().trim();
    if ((!message && !files().length) || tooLong()) return;
    props.onSend(draftContent(message, suggestions()?.picked() ?? [], props.replyingTo?.original.id), files());
    setText("");
    setFiles([]);
    suggestions()?.forget();
    props.onCancelReply?.();
    stopTyping();
  };
  return (
    <form
      ref={form}
      class="composer"
      onSubmit={(event) => {
        event.preventDefault();
        send();
      }}
    >
      <ComposerExtras
        here={() => props.here?.() ?? []}
        box={() => box}
        write={input}
        bind={(loaded) => {
          setSuggestions(() => loaded);
          loaded.follow(text(), box?.selectionStart ?? text().length);
        }}
        replyingTo={props.replyingTo}
        onCancelReply={() => props.onCancelReply?.()}
      />
      <MessageInput
        id="composer-input"
        label={`Message ${props.spaceName}`}
        placeholder={`Message ${props.spaceName}`}
        value={text()}
        onInput={input}
        onSubmit={send}
        onKeyDown={(event) => {
          suggestions()?.onKeyDown(event);
          // Escape with no list open to close drops the reply being written (as its Cancel does).
          if (event.key !== "Escape" || event.defaultPrevented || !props.replyingTo) return;
          event.preventDefault();
          props.onCancelReply?.();
        }}
        suggestions={suggestions()?.driven()}
        onBlur={() => {
          stopTyping();
          suggestions()?.close();
        }}
        ref={(element) => {
          box = element;
          // Ready to type on arrival, except on touch screens, where focus would throw up the keyboard.
          if (!globalThis.matchMedia?.("(hover: none)").matches) queueMicrotask(() => element.focus());
        }}
      />
      <AttachControls spaceId={props.spaceId} files={files()} onChange={setFiles} form={() => form} dropArea={props.dropArea} />
      <button type="submit" class="button primary" disabled={(!text().trim() && !files().length) || tooLong()}>
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
