/** Id generation shared by server and client: time-sortable intention ids, readable being ids. */
import type { AttachmentId } from "./attachments.ts";
import type { BeingId, IntentionId } from "./entities.ts";

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

function randomChars(count: number, alphabet: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(count));
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join("");
}

/** A ULID-shaped intention id: 10 chars of milliseconds, 16 random; sorts by creation time. */
export function newIntentionId(now = Date.now()): IntentionId {
  let time = "";
  for (let t = now, i = 0; i < 10; i++, t = Math.floor(t / 32)) time = CROCKFORD[t % 32] + time;
  return `/${time}${randomChars(16, CROCKFORD)}`;
}

/** A random attachment id: "f" and 26 Crockford characters (unguessable; its address is the only way to it). */
export function newAttachmentId(): AttachmentId {
  return `f${randomChars(26, CROCKFORD)}`;
}

/** A random id of `count` lowercase letters and digits (connection ids, being id suffixes). */
export function randomId(count: number): string {
  return randomChars(count, "0123456789abcdefghijklmnopqrstuvwxyz");
}

/** A being id from a display name: "@ada-3f9k2q". */
export function newBeingId(name: string): BeingId {
  const slug = name
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40);
  return `@${slug || "being"}-${randomId(6)}`;
}
