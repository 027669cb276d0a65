/**
 * Voice and video's place on the space page. Until someone uses them it is three switches (disabled
 * until the room is connected) and nothing else: the media code (panel.tsx and what it imports) is fetched when this person presses
 * one, or when someone in the room publishes; no device is asked for before a press. The switches
 * are plain markup with one listener, so the start chunk carries as little as it can; the loaded
 * panel draws the same switches (controls.tsx), with their state and device pickers. Both use the
 * start chunk's stylesheet, so the switches look and sit the same before and after it loads.
 */
import type { Room } from "livekit-client";
import { createEffect, createSignal, Show, type Component } from "solid-js";
import type { BeingId } from "../../shared/entities.ts";
import { MEDIA_KINDS, type MediaKind } from "./kinds.ts";
import type { MediaPanelProps } from "./panel.tsx";

export interface MediaDockProps {
  /** The space's room while connected: without it there is no call to join. */
  room: Room | undefined;
  /** Whether anyone in the room publishes media now. */
  publishing: boolean;
  author(id: BeingId): string;
}

/** The switches, then (once loaded) the call: controls, orbs and shared screens. */
export function MediaDock(props: MediaDockProps) {
  const [panel, setPanel] = createSignal<Component<MediaPanelProps>>();
  let request: MediaKind | undefined;
  // A failed fetch (offline) is tried again by the next press.
  const load = (kind?: string) => {
    if (kind) request = kind as MediaKind;
    import("./panel.tsx").then((module) => setPanel(() => module.MediaPanel), () => undefined);
  };
  createEffect(() => props.publishing && load());
  // Shown (disabled) before the room connects, so that the page does not move down when it does.
  const switches = (disabled: boolean) => (
    <section class="media" aria-label="Voice and video">
      <div class="media-controls" role="group" aria-label="Voice and video" onClick={(event) => load((event.target as HTMLElement).closest("button")?.dataset.kind)}>
        {MEDIA_KINDS.map((entry) => (
          <span class="media-switch">
            <button type="button" class="button small quiet" aria-pressed="false" data-kind={entry.kind} disabled={disabled}>
              {entry.label}
              <span class="switch-state" aria-hidden="true">
                off
              </span>
            </button>
          </span>
        ))}
      </div>
    </section>
  );
  return (
    <Show when={props.room} keyed fallback={switches(true)}>
      {(room) => (
        <Show when={panel()} fallback={switches(false)}>
          {(MediaPanel) => {
            const Panel = MediaPanel();
            const taken = request;
            request = undefined;
            return <Panel room={room} author={props.author} request={taken} />;
          }}
        </Show>
      )}
    </Show>
  );
}
