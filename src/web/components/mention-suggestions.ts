/**
 * The `@` list's state: who to offer for the name being typed after an `@` (the beings in this space first,
 * then anyone the server finds by name: people and bots), which one is chosen, and its keys.
 */
import { createMemo, createSignal, createUniqueId, onCleanup } from "solid-js";
import type { Being } from "../../shared/entities.ts";
import { searchBeings } from "../api.ts";
import { mentionAtCaret } from "./draft.ts";

/** How many names the list shows at most. */
const SHOWN = 8;
// The server is asked once typing pauses this long.
const TYPING_PAUSE_MS = 150;

/** Whether `being` is offered for `query` (a part of its name, any case). */
const matches = (being: Being, query: string) => being.name.toLowerCase().includes(query.toLowerCase());

/** Suggestions for the box; `here()` lists the beings in the space, offered first. */
export function createMentionSuggestions(here: () => readonly Being[]) {
  const listId = `mentions-${createUniqueId()}`;
  const [typed, setTyped] = createSignal<{ start: number; query: string }>();
  const [found, setFound] = createSignal<Being[]>([]);
  const [active, setActive] = createSignal(0);
  // Escape closes the list for this `@`; typing another opens it again.
  let dismissedAt: number | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let asked = 0;
  onCleanup(() => clearTimeout(timer));

  const options = createMemo(() => {
    const at = typed();
    if (!at) return [];
    const local = here().filter((being) => being.type !== "space" && matches(being, at.query));
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

  /** The keys the list takes while open: arrows move, Enter or Tab pick, Escape closes. */
  const onKeyDown = (event: KeyboardEvent, pick: (being: Being) => void) => {
    if (!open() || event.isComposing) return;
    const count = options().length;
    if (event.key === "ArrowDown") setActive((active() + 1) % count);
    else if (event.key === "ArrowUp") setActive((active() - 1 + count) % count);
    else if (event.key === "Enter" || event.key === "Tab") pick(options()[active()]!);
    else if (event.key === "Escape") close();
    else return;
    event.preventDefault();
  };

  return {
    listId,
    optionId: (index: number) => `${listId}-${index}`,
    typed,
    options,
    open,
    active,
    setActive,
    follow,
    close,
    onKeyDown,
  };
}

export type MentionSuggestions = ReturnType<typeof createMentionSuggestions>;
