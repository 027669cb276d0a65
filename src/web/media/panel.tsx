/** The call in a space, loaded on demand (see dock.tsx): the switches, the orbs and shared screens. */
import type { Room } from "livekit-client";
import type { BeingId } from "../../shared/entities.ts";
import { Controls } from "./controls.tsx";
import type { MediaKind } from "./kinds.ts";
import { Orbs, participantName } from "./orbs.tsx";
import { watchRoomMedia } from "./room-state.ts";
import stylesheet from "./media.css?url";

// Linked rather than imported: an imported stylesheet would be this lazy chunk's dependency, and
// Vite would put a table of it (and the helper that loads it) into the start chunk.
if (!document.querySelector(`link[href="${stylesheet}"]`)) {
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = stylesheet;
  document.head.appendChild(link);
}

export interface MediaPanelProps {
  room: Room;
  author(id: BeingId): string;
  /** A switch pressed before this code was loaded: turned on at once. */
  request?: MediaKind;
}

/** Voice and video in the space's room, for as long as that room lasts. */
export function MediaPanel(props: MediaPanelProps) {
  const media = watchRoomMedia(props.room);
  return (
    <section class="media" aria-label="Voice and video">
      <Controls room={props.room} media={media} request={props.request} />
      <Orbs media={media} nameOf={(participant) => participantName(participant, props.author)} />
    </section>
  );
}
