/**
 * One track on screen (or, for audio, in an element nobody sees). A remote track is subscribed while
 * this view exists and unsubscribed when it goes: the room joins with autoSubscribe off, so nothing is
 * received that is not shown. With adaptiveStream, LiveKit sizes the video to the element it is attached to.
 */
import type { RemoteTrackPublication, TrackPublication } from "livekit-client";
import { createEffect, createMemo, onCleanup, type Accessor } from "solid-js";

export interface TrackViewProps {
  publication: TrackPublication;
  changed: Accessor<number>;
  class?: string;
  /** Mirrors the picture (my own camera, as in a mirror). */
  mirrored?: boolean;
}

/** Subscribes while mounted and attaches the track once it arrives. */
function useTrack(publication: TrackPublication, changed: Accessor<number>, element: () => HTMLMediaElement) {
  if ("setSubscribed" in publication) {
    const remote = publication as RemoteTrackPublication;
    remote.setSubscribed(true);
    onCleanup(() => remote.setSubscribed(false));
  }
  const track = createMemo(() => (changed(), publication.track));
  createEffect(() => {
    const current = track();
    if (!current) return;
    const target = element();
    current.attach(target);
    onCleanup(() => current.detach(target));
  });
}

/** A video track, playing muted inline (its sound, if any, is a separate track). */
export function VideoView(props: TrackViewProps) {
  let video!: HTMLVideoElement;
  useTrack(props.publication, props.changed, () => video);
  return <video ref={video} class={props.class} classList={{ mirrored: props.mirrored }} autoplay muted playsinline />;
}

/** An audio track, playing. */
export function AudioView(props: TrackViewProps) {
  let audio!: HTMLAudioElement;
  useTrack(props.publication, props.changed, () => audio);
  return <audio ref={audio} autoplay />;
}
