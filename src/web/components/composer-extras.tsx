/**
 * What the composer shows besides its box, loaded just after it (not needed for the first paint): the `@`
 * list, which offers who to mention for the name typed after an `@` (the beings in this space first, then
 * anyone the server finds by name: people and bots) by keyboard and pointer, a listbox the message box
 * drives; and the bar of the reply being written.
 */
import { createMemo, createSignal, createUniqueId, For, onCleanup, Show } from "solid-js";
import type { Being } from "../../shared/entities.ts";
import { searchBeings } from "../api.ts";
import type { ReplyingTo } from "./composer.tsx";
import type { PickedMention } from "./draft.ts";
import { snippetOf } from "./reply-quote.tsx";

/** How many names the list shows at most. */
const SHOWN = 8;
// The server is asked once typing pauses this long.
const TYPING_PAUSE_MS = 150;

/** Whether `being` is offered for `query` (a part of its name, any case). */
const matches = (being: Being, query: string) => being.name.toLowerCase().includes(query.toLowerCase());

/** The `@` being typed just before the caret (start of text or after a space), and what follows it: the start of a name. */
export function mentionAtCaret(text: string, caret: number): { start: number; query: string } | undefined {
  const typed = /(?:^|\s)@([^\s@]{0,40})$/.exec(text.slice(0, caret));
  return typed ? { start: caret - typed[1]!.length - 1, query: typed[1]! } : undefined;
}

export interface MentionBox {
  /** The beings in the space, offered first. */
  here(): readonly Being[];
  /** The message box: where the caret is, and where a pick is written. */
  box(): HTMLTextAreaElement | undefined;
  /** Takes the box's new text after a pick. */
  write(text: string): void;
}

/** The `@` list of a message box, and the mentions picked in it since `forget`. */
export function createMentionSuggestions(input: MentionBox) {
  const listId = `mentions-${createUniqueId()}`;
  const [typed, setTyped] = createSignal<{ start: number; query: string }>();
  const [found, setFound] = createSignal<Being[]>([]);
  const [active, setActive] = createSignal(0);
  const [picked, setPicked] = createSignal<PickedMention[]>([]);
  // Escape closes the list for this `@`; typing another opens it again.
  let dismissedAt: number | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let asked = 0;
  onCleanup(() => clearTimeout(timer));

  const options = createMemo(() => {
    const at = typed();
    if (!at) return [];
    const local = input.here().filter((being) => being.type !== "space" && matches(being, at.query));
    const known = new Set(local.map((being) => being.id));
    const others = found().filter((being) => being.type !== "space" && !known.has(being.id) && matches(being, at.query));
    return [...local, ...others].slice(0, SHOWN);
  });
  const open = () => options().length > 0;

  /** Follows the text and caret: opens, narrows or closes the list. */
  const follow = (text: string, caret: number) => {
    const at = mentionAtCaret(text, caret);
    if (at?.start !== dismissedAt) dismissedAt = undefined;
    const next = at && dismissedAt === undefined ? at : undefined;
    if (next?.query !== typed()?.query || next?.start !== typed()?.start) setActive(0);
    setTyped(next);
    clearTimeout(timer);
    const ask = ++asked;
    if (!next?.query) return setFound([]);
    timer = setTimeout(() => {
      searchBeings(next.query).then(
        (beings) => ask === asked && setFound(beings),
        () => undefined, // the beings here are still offered
      );
    }, TYPING_PAUSE_MS);
  };

  const close = () => {
    dismissedAt = typed()?.start;
    setTyped(undefined);
  };

  /** Puts "@Name " in place of the `@` being typed, and keeps who it names. */
  const pick = (being: Being) => {
    const at = typed();
    const box = input.box();
    if (!at || !box) return;
    const mention = `@${being.name} `;
    const next = box.value.slice(0, at.start) + mention + box.value.slice(box.selectionStart);
    setPicked([...picked().filter((known) => known.name !== being.name), { id: being.id, name: being.name }]);
    box.value = next;
    box.setSelectionRange(at.start + mention.length, at.start + mention.length);
    input.write(next);
    box.focus();
  };

  /** The keys the list takes while open: arrows move, Enter or Tab pick, Escape closes. */
  const onKeyDown = (event: KeyboardEvent) => {
    if (!open() || event.isComposing) return;
    const count = options().length;
    if (event.key === "ArrowDown") setActive((active() + 1) % count);
    else if (event.key === "ArrowUp") setActive((active() - 1 + count) % count);
    else if (event.key === "Enter" || event.key === "Tab") pick(options()[active()]!);
    else if (event.key === "Escape") close();
    else return;
    event.preventDefault();
  };

  const optionId = (index: number) => `${listId}-${index}`;

  /** The listbox, while there is someone to offer. */
  const List = () => (
    <Show when={open()}>
      <ul id={listId} class="mention-list" role="listbox" aria-label="Mention someone">
        <For each={options()}>
          {(being, index) => (
            <li
              id={optionId(index())}
              role="option"
              aria-selected={index() === active()}
              // The box keeps the focus (and the caret) while a name is picked with the pointer.
              onPointerDown={(event) => event.preventDefault()}
              onClick={() => pick(being)}
              onPointerEnter={() => setActive(index())}
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
  );

  return {
    /** What the message box needs to drive the list: its id and the option chosen (undefined while closed). */
    driven: () => (open() ? { id: listId, active: optionId(active()) } : undefined),
    /** The mentions picked since the last `forget`. */
    picked,
    /** Forgets the picks and closes the list (the message was sent). */
    forget: () => {
      setPicked([]);
      close();
    },
    follow,
    close,
    onKeyDown,
    List,
  };
}

export type MentionSuggestions = ReturnType<typeof createMentionSuggestions>;

export interface ComposerExtrasProps extends MentionBox {
  /** Hands the composer the `@` list it drives, once. */
  bind(suggestions: MentionSuggestions): void;
  replyingTo?: ReplyingTo;
  onCancelReply(): void;
}

/** The reply bar and the `@` list, above the message box. */
export function ComposerExtras(props: ComposerExtrasProps) {
  const suggestions = createMentionSuggestions(props);
  props.bind(suggestions);
  return (
    <>
      <Show when={props.replyingTo}>
        {(to) => (
          <div class="replying-to">
            <p>
              Replying to <strong>{to().author}</strong>: <span class="replying-to-text">{snippetOf(to().original)}</span>
            </p>
            <button type="button" class="link-button" onClick={() => props.onCancelReply()} aria-label="Cancel reply">
              Cancel
            </button>
          </div>
        )}
      </Show>
      <suggestions.List />
    </>
  );
}
