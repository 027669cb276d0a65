/** Who is here: the beings located in the space, spaces and bots first, with a dot for who is online. */
import { createMemo, For, Show } from "solid-js";
import type { Being, BeingId } from "../../shared/entities.ts";
import { SpaceLink } from "./space-link.tsx";

const RANK: Record<Being["type"], number> = { space: 0, bot: 1, guest: 2, document: 3 };

/** Orders the list: spaces, bots, people, documents; within a kind, who is online first, then by name. */
export function listOrder(online: ReadonlySet<BeingId>) {
  return (a: Being, b: Being) =>
    RANK[a.type] - RANK[b.type] || Number(online.has(b.id)) - Number(online.has(a.id)) || a.name.localeCompare(b.name);
}

/** False for a private space this being may not open (other clients may still place one in a public space). */
export function mayOpen(being: Being, meId: BeingId): boolean {
  const { private: isPrivate, members } = being.properties;
  return isPrivate !== true || being.ownerId === meId || (Array.isArray(members) && members.includes(meId));
}

export interface PeopleProps {
  beings: Record<BeingId, Being>;
  /** Who is connected to the room; undefined when that is unknown (live sync off), which hides the dots. */
  online?: ReadonlySet<BeingId>;
  meId: BeingId;
}

const NOBODY: ReadonlySet<BeingId> = new Set();

/** The list of beings here; spaces are links to go into them. */
export function People(props: PeopleProps) {
  const sorted = createMemo(() =>
    Object.values(props.beings)
      .filter((being) => mayOpen(being, props.meId))
      .sort(listOrder(props.online ?? NOBODY)),
  );
  return (
    <ul class="people-list">
      <For each={sorted()}>
        {(being) => (
          <li class="person" data-type={being.type} title={being.id}>
            <Show
              when={being.type === "space"}
              fallback={
                <>
                  <Show when={props.online} fallback={<span class="presence unknown" aria-hidden="true" />}>
                    {(online) => (
                      <span
                        class="presence"
                        classList={{ online: online().has(being.id) }}
                        role="img"
                        aria-label={online().has(being.id) ? "online" : "away"}
                      />
                    )}
                  </Show>
                  <span class="person-name">{being.name}</span>
                  <Show when={being.id === props.meId}>
                    <span class="tag">you</span>
                  </Show>
                  <Show when={being.type !== "guest"}>
                    <span class="tag">{being.type}</span>
                  </Show>
                </>
              }
            >
              <span class="space-glyph" aria-hidden="true">
                #
              </span>
              <SpaceLink class="person-name" id={being.id}>
                {being.name}
              </SpaceLink>
              <Show when={being.properties.private === true}>
                <span class="tag">private</span>
              </Show>
            </Show>
          </li>
        )}
      </For>
    </ul>
  );
}
