/**
 * Presence identities: a LiveKit participant is one connection of a being, `<being id>#<connection id>`,
 * so one being may be in a room from several tabs and devices at once.
 */
import type { BeingId } from "./entities.ts";
import { randomId } from "./ids.ts";

/** A new identity for one connection of `being`. */
export function connectionIdentity(being: BeingId): string {
  return `${being}#${randomId(10)}`;
}

/** The being a participant identity belongs to, or null for an identity that is not one of ours. */
export function beingOfIdentity(identity: string): BeingId | null {
  const at = identity.lastIndexOf("#");
  const being = at > 0 ? identity.slice(0, at) : identity;
  return being.startsWith("@") && !being.includes("#") ? (being as BeingId) : null;
}

/** The participant attribute a connection sets while its person composes a message (display only). */
export const TYPING_ATTRIBUTE = "typing";

/**
 * The participant attribute a connection sets to "1" as it joins and "0" as it leaves. LiveKit relays
 * the joins and leaves of participants that publish nothing in batches, every 3 s; an attribute
 * change it relays at once. A participant without it still counts as here (it just joined).
 */
export const HERE_ATTRIBUTE = "here";
