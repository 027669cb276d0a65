/** The spaces one may enter, so a space can be found without its link; with one's unread counts, and the mute of the open space. */
import { createEffect, createSignal, For, on, onCleanup, onMount, Show } from "solid-js";
import type { BeingId } from "../../shared/entities.ts";
import { UNREAD_COUNT_CAP, type UnreadCounts } from "../../shared/responses.ts";
import { createSpaceListFeed } from "../unread/space-list-feed.ts";
import type { UnreadEvents } from "../unread/unread.ts";
import { SpaceLink } from "./space-link.tsx";

/** Fetched when shown, then kept current (focus, another device's read, this page's reads, every minute). */
export function SpaceList(props: { currentId: BeingId; events: UnreadEvents }) {
  const feed = createSpaceListFeed();
  onMount(() => onCleanup(feed.follow()));
  createEffect(on(props.events.notices, feed.refresh, { defer: true }));
  createEffect(on(props.events.reads, () => feed.read(props.currentId), { defer: true }));
  return (
    <nav class="space-list" aria-labelledby="spaces-title">
      <h2 id="spaces-title">Spaces</h2>
      <Show when={feed.list()} fallback={<p class="quiet">{feed.failed() ? "Spaces could not be loaded." : "Loading…"}</p>}>
        {(list) => (
          <ul>
            <For each={list().spaces}>
              {(space) => (
                <li>
                  <SpaceLink id={space.id} class="space-list-link" aria-current={space.id === props.currentId ? "page" : undefined}>
                    <span>{space.name}</span>
                    <Show when={space.properties.private === true}>
                      <span class="tag">private</span>
                    </Show>
                    <Show when={feed.counts(space.id)}>{(counts) => <Counts counts={counts()} />}</Show>
                  </SpaceLink>
                  <Show when={space.id === props.currentId && feed.counts(space.id)}>
                    {(counts) => <MuteToggle name={space.name} muted={counts().muted} onToggle={(muted) => feed.mute(space.id, muted)} />}
                  </Show>
                </li>
              )}
            </For>
          </ul>
        )}
      </Show>
    </nav>
  );
}

/** A count as shown: "99+" from the server's cap on. */
const shown = (n: number) => (n >= UNREAD_COUNT_CAP ? `${UNREAD_COUNT_CAP - 1}+` : String(n));

/** Unread and mention counts, each with words for a screen reader; a muted space's are quiet (no colour). */
function Counts(props: { counts: UnreadCounts }) {
  return (
    <span class="counts" classList={{ muted: props.counts.muted }}>
      <Show when={props.counts.mentions > 0}>
        <span class="mention-count">
          <span aria-hidden="true">@{shown(props.counts.mentions)}</span>
          <span class="sr-only">, {shown(props.counts.mentions)} mentioning you</span>
        </span>
      </Show>
      <Show when={props.counts.unread > 0}>
        <span class="unread-count">
          <span aria-hidden="true">{shown(props.counts.unread)}</span>
          <span class="sr-only">, {shown(props.counts.unread)} unread</span>
        </span>
      </Show>
      <Show when={props.counts.muted}>
        <span class="sr-only">, muted</span>
      </Show>
    </span>
  );
}

/** Mutes the open space (its counts quiet, no notifications), or unmutes it. */
function MuteToggle(props: { name: string; muted: boolean; onToggle(muted: boolean): Promise<void> }) {
  const [failed, setFailed] = createSignal(false);
  const toggle = () => {
    setFailed(false);
    props.onToggle(!props.muted).catch(() => setFailed(true));
  };
  // One name whatever the state (aria-pressed says it); the tick is for the eye only.
  return (
    <button type="button" class="link-button mute-toggle" aria-pressed={props.muted} onClick={toggle}>
      <Show when={props.muted}>
        <span aria-hidden="true">✓ </span>
      </Show>
      Mute<span class="sr-only">{` ${props.name}`}</span>
      <Show when={failed()}>
        <span role="alert"> (not changed, retry)</span>
      </Show>
    </button>
  );
}
