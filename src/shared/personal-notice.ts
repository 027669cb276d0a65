/**
 * Personal notices: a small packet the server sends to one being's own connections only (LiveKit SendData
 * with destinationIdentities), signed like sync batches, on a topic of its own so sync receivers (the page's
 * and outside clients') never see one. A notice says only that something of that being's changed (its read
 * points, its inbox); the page then asks the API, which decides what it may see.
 */
import type { BeingId } from "./entities.ts";
import { openSignedPacket, type Keyring } from "./signing.ts";

/** The LiveKit data topic personal notices travel on. */
export const PERSONAL_TOPIC = "personal";

/** What changed for the being: "reads", one of its read points; "inbox", it has new notifications. */
export type PersonalNoticeKind = "reads" | "inbox";

/** The signed payload's content: `{ "personal": PersonalNotice }`, so no sync batch can pass for one. */
export interface PersonalNotice {
  to: BeingId;
  kind: PersonalNoticeKind;
  /** When it was sent (ms since the epoch). */
  at: number;
}

/** The exact text the server signs for a notice. */
export function personalNoticePayload(notice: PersonalNotice): string {
  return JSON.stringify({ personal: notice });
}

/** A packet's notice when a listed key signed it and it is addressed to `me`; undefined for anything else. */
export async function openPersonalNotice(packet: Uint8Array, keyring: Keyring, me: BeingId): Promise<PersonalNotice | undefined> {
  const opened = await openSignedPacket(new TextDecoder().decode(packet), keyring);
  if (!("payload" in opened)) return undefined;
  try {
    const notice = (JSON.parse(opened.payload) as { personal?: Partial<PersonalNotice> } | null)?.personal;
    if (notice?.to !== me || typeof notice.kind !== "string" || typeof notice.at !== "number") return undefined;
    return { to: notice.to, kind: notice.kind, at: notice.at };
  } catch {
    return undefined;
  }
}
