/**
 * The "Go to…" dialog: a combobox (WAI-ARIA's combobox with a listbox popup) over spaces, people and bots by
 * name, recent picks first, and a last entry that searches the messages for the text instead. Focus stays on
 * the input (the active option is aria-activedescendant); Tab stays inside the dialog; Esc closes it. A being
 * picked with Shift (or one in no space the caller can see) shows its profile card instead of its place.
 * Fetched on first open (launcher.tsx), so none of it is in the start chunk. The UI says "message" where
 * the data says "intention".
 */
import { createEffect, createSignal, For, Match, on, onCleanup, onMount, Show, Switch } from "solid-js";
import type { Being, BeingId } from "../../shared/entities.ts";
import type { IntentionHit, Snippet } from "../../shared/responses.ts";
import { searchBeings, searchIntentions } from "../api.ts";
import { openProfile } from "../profile/open-profile.ts";
import { navigate, navigateToMessage } from "../router.ts";
import { recentFirst, recentPicks, rememberPick, type RecentPick } from "./recent.ts";

export interface FinderDialogProps {
  meId: BeingId;
  onClose(): void;
}

/** One row of the list. */
type Entry =
  | { kind: "being"; being: RecentPick }
  | { kind: "search"; q: string }
  | { kind: "hit"; hit: IntentionHit }
  | { kind: "more" };

// Names are looked up once typing pauses this long.
const TYPING_PAUSE_MS = 150;

const TYPE_LABEL: Record<Being["type"], string> = { space: "Space", guest: "Person", bot: "Bot", document: "Document" };

/** The dialog, open while it is rendered. */
export function FinderDialog(props: FinderDialogProps) {
  const [text, setText] = createSignal("");
  const [found, setFound] = createSignal<RecentPick[]>(recentPicks(props.meId));
  // Set when the messages are searched: the query they were searched for, the hits and the next page's cursor.
  const [messages, setMessages] = createSignal<{ q: string; hits: IntentionHit[]; next: string | null } | null>(null);
  const [active, setActive] = createSignal(0);
  const [status, setStatus] = createSignal("");
  let input!: HTMLInputElement;
  let dialog!: HTMLDivElement;

  const entries = (): Entry[] => {
    const shown = messages();
    if (shown) return [...shown.hits.map((hit) => ({ kind: "hit" as const, hit })), ...(shown.next ? [{ kind: "more" as const }] : [])];
    const q = text().trim();
    return [...found().map((being) => ({ kind: "being" as const, being })), ...(q ? [{ kind: "search" as const, q }] : [])];
  };

  // Each lookup is numbered: an answer to an older one is dropped.
  let asked = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => clearTimeout(timer));
  createEffect(
    on(text, (typed) => {
      setMessages(null);
      setActive(0);
      clearTimeout(timer);
      const q = typed.trim();
      const ask = ++asked;
      if (!q) return setFound(recentPicks(props.meId));
      timer = setTimeout(async () => {
        try {
          const beings = await searchBeings(q);
          if (ask === asked) setFound(recentFirst(beings, recentPicks(props.meId)));
        } catch {
          if (ask === asked) setStatus("The names could not be looked up: check the connection and type again.");
        }
      }, TYPING_PAUSE_MS);
    }, { defer: true }),
  );
  createEffect(() => {
    const shown = messages();
    if (shown) setStatus(shown.hits.length === 0 ? `No messages found for “${shown.q}”.` : `${shown.hits.length} messages found${shown.next ? ", more on request" : ""}.`);
    else if (text().trim()) setStatus(`${found().length} ${found().length === 1 ? "name" : "names"} found.`);
    else setStatus("");
  });

  const searchMessages = async (q: string, before?: string) => {
    const ask = ++asked;
    setStatus("Searching messages…");
    try {
      const page = await searchIntentions(q, before);
      if (ask !== asked) return;
      const earlier = before ? (messages()?.hits ?? []) : [];
      setMessages({ q, hits: [...earlier, ...page.hits], next: page.next });
      if (!before) setActive(0);
    } catch {
      if (ask === asked) setStatus("The messages could not be searched: check the connection and try again.");
    }
  };

  /** Picks an entry; a being goes to where it is, or shows its profile card (`profile`, or nowhere to go). */
  const choose = (entry: Entry | undefined, profile = false) => {
    if (!entry) return;
    if (entry.kind === "search") return void searchMessages(entry.q);
    if (entry.kind === "more") return void searchMessages(messages()!.q, messages()!.next!);
    if (entry.kind === "hit") {
      props.onClose();
      return navigateToMessage(entry.hit.space.id, entry.hit.id);
    }
    const place = placeOf(entry.being);
    rememberPick(props.meId, entry.being);
    props.onClose();
    if (profile || !place) return void openProfile(entry.being.id);
    navigate(place);
  };

  const onKeyDown = (event: KeyboardEvent) => {
    const count = entries().length;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (count > 0) setActive((active() + (event.key === "ArrowDown" ? 1 : count - 1)) % count);
    } else if (event.key === "Enter") {
      event.preventDefault();
      choose(entries()[active()], event.shiftKey);
    } else if (event.key === "Escape") {
      event.preventDefault();
      props.onClose();
    } else if (event.key === "Tab") {
      trapTab(event);
    }
  };

  /** Keeps Tab and Shift-Tab among the dialog's own controls. */
  const trapTab = (event: KeyboardEvent) => {
    const controls = [...dialog.querySelectorAll<HTMLElement>("input, button:not([disabled])")];
    const at = controls.indexOf(document.activeElement as HTMLElement);
    const next = (at + (event.shiftKey ? controls.length - 1 : 1)) % controls.length;
    event.preventDefault();
    controls[next]?.focus();
  };

  // The active option stays in view as the arrows move it.
  createEffect(() => document.getElementById(optionId(active()))?.scrollIntoView?.({ block: "nearest" }));
  onMount(() => input.focus());

  return (
    <div class="finder-backdrop" onClick={(event) => event.target === event.currentTarget && props.onClose()}>
      <div ref={dialog} class="finder" role="dialog" aria-modal="true" aria-labelledby="finder-title" onKeyDown={onKeyDown}>
        <div class="finder-top">
          <h2 id="finder-title">Go to…</h2>
          <button type="button" class="button small quiet" onClick={() => props.onClose()}>
            Close
          </button>
        </div>
        <input
          ref={input}
          class="finder-input"
          type="text"
          role="combobox"
          aria-label="Space, person, bot or words to search for"
          aria-expanded={entries().length > 0}
          aria-controls="finder-list"
          aria-autocomplete="list"
          aria-activedescendant={entries().length > 0 ? optionId(active()) : undefined}
          placeholder="Type a name, or words to search messages for"
          autocomplete="off"
          spellcheck={false}
          value={text()}
          onInput={(event) => setText(event.currentTarget.value)}
        />
        <Show when={messages()}>
          {(shown) => <p class="finder-heading">Messages with “{shown().q}”</p>}
        </Show>
        <Show when={!text().trim() && !messages() && found().length > 0}>
          <p class="finder-heading">Recent</p>
        </Show>
        {/* A press on an option keeps the focus in the input, where the keys work. */}
        <ul
          id="finder-list"
          class="finder-list"
          role="listbox"
          aria-label={messages() ? "Messages" : "Spaces, people and bots"}
          onMouseDown={(event) => event.preventDefault()}
        >
          <For each={entries()}>
            {(entry, index) => (
              <li
                id={optionId(index())}
                role="option"
                class="finder-option"
                aria-selected={index() === active()}
                onMouseMove={() => setActive(index())}
                onClick={(event) => choose(entry, event.shiftKey)}
              >
                <EntryView entry={entry} />
              </li>
            )}
          </For>
        </ul>
        <p class="finder-hint">Enter goes there · Shift+Enter shows who it is</p>
        <p class="sr-only" role="status">
          {status()}
        </p>
      </div>
    </div>
  );
}

const optionId = (index: number) => `finder-option-${index}`;

/** Where picking a being goes: a space itself, anyone else the space they are in (none: nowhere to go). */
const placeOf = (being: RecentPick): BeingId | null => (being.type === "space" ? being.id : being.locationId);

function EntryView(props: { entry: Entry }) {
  return (
    <Switch>
      <Match when={props.entry.kind === "being" && props.entry.being}>
        {(being) => (
          <>
            <span class="finder-name">{being().name}</span>
            <span class="finder-detail">
              {TYPE_LABEL[being().type]}
              {being().type !== "space" && !being().locationId ? " · not in a space you can see: shows who it is" : ""}
            </span>
          </>
        )}
      </Match>
      <Match when={props.entry.kind === "search" && props.entry.q}>
        {(q) => <span class="finder-name">Search messages for “{q()}”</span>}
      </Match>
      <Match when={props.entry.kind === "hit" && props.entry.hit}>
        {(hit) => (
          <>
            <span class="finder-snippet">
              <Marked snippet={hit().snippet} />
            </span>
            <span class="finder-detail">
              {hit().space.name} · {hit().author.name ?? "someone"} · <time datetime={hit().at.toISOString()}>{hit().at.toLocaleString()}</time>
            </span>
          </>
        )}
      </Match>
      <Match when={props.entry.kind === "more"}>
        <span class="finder-name">More results</span>
      </Match>
    </Switch>
  );
}

/** A snippet's text with its matched ranges in <mark>: every piece a text node, never markup. */
function Marked(props: { snippet: Snippet }) {
  const pieces = () => {
    const { text, marks } = props.snippet;
    const out: { text: string; marked: boolean }[] = [];
    let at = 0;
    for (const { start, end } of marks) {
      if (start > at) out.push({ text: text.slice(at, start), marked: false });
      out.push({ text: text.slice(start, end), marked: true });
      at = end;
    }
    if (at < text.length) out.push({ text: text.slice(at), marked: false });
    return out;
  };
  return <For each={pieces()}>{(piece) => (piece.marked ? <mark>{piece.text}</mark> : piece.text)}</For>;
}
