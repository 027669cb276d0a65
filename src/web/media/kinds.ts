/** What a person can turn on in a space's room, what each is called, and LiveKit's names for track sources. */
import type { Participant, Track } from "livekit-client";

export type MediaKind = "microphone" | "camera" | "screen";

/** The switches, in the order they are shown. */
export const MEDIA_KINDS: ReadonlyArray<{ kind: MediaKind; label: string }> = [
  { kind: "microphone", label: "Microphone" },
  { kind: "camera", label: "Camera" },
  { kind: "screen", label: "Share screen" },
];

/**
 * Track sources by their wire names (the values of livekit-client's Track.Source). The media code
 * uses none of livekit-client's runtime values: the Room comes from room.ts, and a static import
 * would make Vite list the LiveKit chunk as this lazy chunk's dependency, with a preload table and
 * its helper in the start chunk.
 */
export type Source = `${Track.Source}`;

/** What `kind` is published as. */
export const SOURCE_OF: Record<MediaKind, Source> = { microphone: "microphone", camera: "camera", screen: "screen_share" };

/** The participant's track from `source`, if it publishes one. */
export function published<P extends Participant>(participant: P, source: Source): ReturnType<P["getTrackPublication"]> {
  return participant.getTrackPublication(source as Track.Source) as ReturnType<P["getTrackPublication"]>;
}
