/**
 * Who is on: a round video per person with the camera on, an initials orb for audio only, a ring
 * while speaking and a stronger one on the active speaker; shared screens open large below.
 */
import type { Participant } from "livekit-client";
import { For, Show } from "solid-js";
import type { BeingId } from "../../shared/entities.ts";
import { beingOfIdentity } from "../../shared/presence.ts";
import { published, type Source } from "./kinds.ts";
import type { RoomMedia } from "./room-state.ts";
import { AudioView, VideoView } from "./track-view.tsx";

/** Up to two initials of a name ("Ada Lovelace" → "AL"). */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  return words.slice(0, 2).map((word) => [...word][0]!.toUpperCase()).join("") || "?";
}

interface OrbProps {
  participant: Participant;
  media: RoomMedia;
  name: string;
}

function Orb(props: OrbProps) {
  const p = props.participant;
  const camera = () => (props.media.changed(), published(p, "camera"));
  const microphone = () => (props.media.changed(), published(p, "microphone"));
  const speaking = () => (props.media.changed(), p.isSpeaking);
  const active = () => props.media.activeSpeaker() === p;
  const video = () => {
    const publication = camera();
    return publication && !publication.isMuted ? publication : undefined;
  };
  const state = () =>
    [video() ? "camera on" : undefined, microphone() ? "microphone on" : undefined, speaking() ? "speaking" : undefined]
      .filter(Boolean)
      .join(", ");
  return (
    <li class="orb" classList={{ speaking: speaking(), active: active() }} data-speaking={speaking()} title={`${props.name}: ${state()}`}>
      <Show when={video()} keyed fallback={<span class="orb-initials" aria-hidden="true">{initials(props.name)}</span>}>
        {(publication) => <VideoView publication={publication} changed={props.media.changed} class="orb-video" mirrored={p.isLocal} />}
      </Show>
      {/* My own voice is not played back to me. */}
      <Show when={!p.isLocal && microphone()} keyed>
        {(publication) => <AudioView publication={publication} changed={props.media.changed} />}
      </Show>
      <span class="orb-name">
        {props.name}
        <span class="sr-only">: {state()}</span>
      </span>
    </li>
  );
}

export interface OrbsProps {
  media: RoomMedia;
  /** The name to show for a participant. */
  nameOf(participant: Participant): string;
}

/** The row of orbs and the stage of shared screens. */
export function Orbs(props: OrbsProps) {
  return (
    <>
      <Show when={props.media.publishers().length > 0}>
        <ul class="orbs" aria-label="On voice and video">
          <For each={props.media.publishers()}>{(participant) => <Orb participant={participant} media={props.media} name={props.nameOf(participant)} />}</For>
        </ul>
      </Show>
      <For each={props.media.sharers()}>
        {(sharer) => {
          const source = (source: Source) => (props.media.changed(), published(sharer, source));
          return (
            <Show when={source("screen_share")} keyed>
              {(screen) => (
                <figure class="screen-share">
                  <VideoView publication={screen} changed={props.media.changed} class="screen-video" />
                  <Show when={!sharer.isLocal && source("screen_share_audio")} keyed>
                    {(audio) => <AudioView publication={audio} changed={props.media.changed} />}
                  </Show>
                  <figcaption>{sharer.isLocal ? "Your screen" : `${props.nameOf(sharer)}'s screen`}</figcaption>
                </figure>
              )}
            </Show>
          );
        }}
      </For>
    </>
  );
}

/** The being's name behind a participant's identity (`<being>#<connection>`). */
export function participantName(participant: Participant, author: (id: BeingId) => string): string {
  const being = beingOfIdentity(participant.identity);
  return being ? author(being) : participant.identity;
}
