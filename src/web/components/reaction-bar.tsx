/**
 * Under a message: its reactions as chips (the emoji and how many; pressed when one is mine; who, by name,
 * on hover), each a toggle of mine, and a button that opens the picker (reaction-picker.tsx, loaded on first
 * open: most messages are never reacted to from this page).
 */
import { createSignal, For, Show, type Component } from "solid-js";
import type { BeingId, Intention } from "../../shared/entities.ts";
import type { Reactions } from "../sync/reactions.ts";
import type { ReactionPickerProps } from "./reaction-picker.tsx";

/** What a message row needs to show reactions and toggle mine. */
export interface ReactionContext {
  me: BeingId;
  reactions: Reactions;
  nameOf(id: BeingId): string;
}

export interface ReactionBarProps {
  intention: Intention;
  reacting: ReactionContext;
}

/** A chip's accessible name: "👍 2 reactions, including you". */
export function chipLabel(emoji: string, count: number, mine: boolean): string {
  return `${emoji} ${count} ${count === 1 ? "reaction" : "reactions"}${mine ? ", including you" : ""}`;
}

const names = new Intl.ListFormat("en", { type: "conjunction" });

/** The message's reaction chips and its Add reaction button. */
export function ReactionBar(props: ReactionBarProps) {
  const [picker, setPicker] = createSignal<Component<ReactionPickerProps>>();
  const [open, setOpen] = createSignal(false);
  let addButton: HTMLButtonElement | undefined;
  // The conversation's, the same for every row: read once.
  const { me, reactions, nameOf } = props.reacting;
  const shown = () => reactions.shown(props.intention, me);
  const toggle = (emoji: string) => void reactions.toggle(props.intention, me, emoji);
  // A failed fetch (offline) is tried again by the next press.
  const openPicker = () =>
    import("./reaction-picker.tsx").then(({ ReactionPicker }) => {
      setPicker(() => ReactionPicker);
      setOpen(true);
    }, () => undefined);
  // Focus first: on a phone the add button shows only while focus is inside its message, and the field
  // that held it is about to go.
  const close = () => {
    addButton?.focus();
    setOpen(false);
  };
  const pick = (emoji: string) => {
    close();
    toggle(emoji);
  };

  return (
    <div class="reactions" classList={{ none: shown().length === 0 && !open() }}>
      <For each={shown()}>
        {(reaction) => {
          const mine = () => reaction.by.includes(me);
          return (
            <button
              type="button"
              class="reaction"
              aria-pressed={mine()}
              aria-label={chipLabel(reaction.emoji, reaction.by.length, mine())}
              title={names.format(reaction.by.map((id) => (id === me ? "you" : nameOf(id))))}
              onClick={() => toggle(reaction.emoji)}
            >
              <span aria-hidden="true">{reaction.emoji}</span>
              <span class="reaction-count" aria-hidden="true">
                {reaction.by.length}
              </span>
            </button>
          );
        }}
      </For>
      <button
        type="button"
        class="reaction add-reaction"
        ref={addButton}
        aria-label="Add reaction"
        aria-expanded={open()}
        title="Add reaction"
        onClick={() => (open() ? close() : void openPicker())}
      >
        <span aria-hidden="true">☺+</span>
      </button>
      <Show when={open() && picker()}>{(Picker) => Picker()({ onPick: pick, onClose: close })}</Show>
      <Show when={reactions.refused(props.intention.id)}>
        {(why) => (
          <p class="message-status" role="alert">
            {why()}
          </p>
        )}
      </Show>
    </div>
  );
}
