/** A being's name that opens its profile card, wherever a name is shown (messages, who is here, search). */
import { createContext, useContext, type JSX } from "solid-js";
import type { BeingId } from "../../shared/entities.ts";
import { openProfile, type Presence } from "./open-profile.ts";

/** Who is online or away, provided by the page that knows (a space page); unknown elsewhere. */
export const PresenceContext = createContext<(id: BeingId) => Presence | undefined>(() => undefined);

/** A function that opens a being's card with the presence this part of the page knows. */
export function useOpenProfile(): (id: BeingId) => void {
  const presence = useContext(PresenceContext);
  // A card whose code could not be fetched (offline before it was ever cached) stays shut.
  return (id) => void openProfile(id, { presence: () => presence(id) }).catch(() => undefined);
}

/** A button showing `children` (the being's name) that opens its profile card. */
export function BeingLink(props: { id: BeingId; class?: string; children: JSX.Element }) {
  const open = useOpenProfile();
  return (
    <button type="button" class={`being-link ${props.class ?? ""}`} aria-haspopup="dialog" onClick={() => open(props.id)}>
      {props.children}
    </button>
  );
}
