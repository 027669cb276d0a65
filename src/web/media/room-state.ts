/**
 * A Room's media as Solid state: one counter bumped by every event that changes who publishes what,
 * who is speaking, or which devices there are; readers re-read the Room (its objects are stable,
 * so `For` keeps each orb and its subscription across events).
 */
import type { Participant, Room, RoomEventCallbacks } from "livekit-client";
import { createMemo, createSignal, onCleanup, type Accessor } from "solid-js";
import { published } from "./kinds.ts";

const EVENTS: ReadonlyArray<keyof RoomEventCallbacks> = [
  "participantConnected",
  "participantDisconnected",
  "trackPublished",
  "trackUnpublished",
  "localTrackPublished",
  "localTrackUnpublished",
  "trackSubscribed",
  "trackUnsubscribed",
  "trackMuted",
  "trackUnmuted",
  "activeSpeakersChanged",
  "audioPlaybackChanged",
  "activeDeviceChanged",
];

export interface RoomMedia {
  /** Read it to re-run when the room's media changes. */
  changed: Accessor<number>;
  /** Everyone publishing something (me first), in the order they joined. */
  publishers: Accessor<Participant[]>;
  /** Everyone sharing a screen. */
  sharers: Accessor<Participant[]>;
  /** The participant heard most now, if anyone is speaking. */
  activeSpeaker: Accessor<Participant | undefined>;
}

/** Watches `room` until the calling owner is disposed. */
export function watchRoomMedia(room: Room): RoomMedia {
  const [changed, setChanged] = createSignal(0);
  const bump = () => setChanged((n) => n + 1);
  for (const event of EVENTS) room.on(event, bump);
  onCleanup(() => {
    for (const event of EVENTS) room.off(event, bump);
  });
  const everyone = () => (changed(), [room.localParticipant, ...room.remoteParticipants.values()]);
  const publishers = createMemo(() => everyone().filter((p) => p.trackPublications.size > 0));
  const sharers = createMemo(() => everyone().filter((p) => published(p, "screen_share")));
  return { changed, publishers, sharers, activeSpeaker: () => (changed(), room.activeSpeakers[0]) };
}
