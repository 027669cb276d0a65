/** The spaces one may enter, so a space can be found without its link. */
import { createResource, For, Show } from "solid-js";
import type { BeingId } from "../../shared/entities.ts";
import { listSpaces, untilLoaded } from "../api.ts";
import { SpaceLink } from "./space-link.tsx";

/** Loaded once per visit to a space: the list changes rarely, and a link always works. */
export function SpaceList(props: { currentId: BeingId }) {
  const [spaces] = createResource(() => untilLoaded(listSpaces));
  return (
    <nav class="space-list" aria-labelledby="spaces-title">
      <h2 id="spaces-title">Spaces</h2>
      <Show when={spaces()} fallback={<p class="quiet">{spaces.error ? "Spaces could not be loaded." : "Loading…"}</p>}>
        <ul>
          <For each={spaces()}>
            {(space) => (
              <li>
                <SpaceLink id={space.id} class="space-list-link" aria-current={space.id === props.currentId ? "page" : undefined}>
                  <span>{space.name}</span>
                  <Show when={space.properties.private === true}>
                    <span class="tag">private</span>
                  </Show>
                </SpaceLink>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </nav>
  );
}
