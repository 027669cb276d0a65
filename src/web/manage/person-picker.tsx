/** Picks a person by name (GET /api/search/beings, people only): type, then choose from what the server found. */
import { createSignal, For, onCleanup, Show } from "solid-js";
import type { Being, BeingId } from "../../shared/entities.ts";
import { searchBeings } from "../api.ts";

export interface PersonPickerProps {
  /** The input's label, e.g. "Add a member". */
  label: string;
  /** What the button beside each person found says, e.g. "Add". */
  action: string;
  /** People not to offer (already members, myself). */
  exclude: readonly BeingId[];
  onPick(person: Being): void;
}

// Names are looked up once typing pauses this long.
const TYPING_PAUSE_MS = 200;

/** A search box and the people it found, each with a button. */
export function PersonPicker(props: PersonPickerProps) {
  const [found, setFound] = createSignal<Being[]>([]);
  const [status, setStatus] = createSignal("");
  const id = `picker-${Math.random().toString(36).slice(2, 8)}`;
  let asked = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => clearTimeout(timer));

  const lookUp = (typed: string) => {
    clearTimeout(timer);
    const q = typed.trim();
    const ask = ++asked;
    if (!q) return setFound([]);
    timer = setTimeout(async () => {
      try {
        const people = (await searchBeings(q, "guest")).filter((person) => !props.exclude.includes(person.id));
        if (ask !== asked) return;
        setFound(people);
        setStatus(people.length === 0 ? `Nobody called “${q}” found.` : `${people.length} found.`);
      } catch {
        if (ask === asked) setStatus("The names could not be looked up: check the connection and type again.");
      }
    }, TYPING_PAUSE_MS);
  };

  return (
    <div class="person-picker">
      <label for={id}>{props.label}</label>
      <input id={id} class="input" type="search" autocomplete="off" placeholder="Type a name" onInput={(event) => lookUp(event.currentTarget.value)} />
      <p class="sr-only" role="status">
        {status()}
      </p>
      <Show when={found().length > 0}>
        <ul class="person-list">
          <For each={found()}>
            {(person) => (
              <li>
                <span class="person-name">{person.name}</span>
                <button type="button" class="button small" onClick={() => props.onPick(person)} aria-label={`${props.action} ${person.name}`}>
                  {props.action}
                </button>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </div>
  );
}
