/**
 * The pictures a bot whose model accepts images is shown: the images attached to the newest messages it reads,
 * read from R2 and sent inline as data URLs, so a private space's file never gets an address anyone could fetch.
 * The screen-sized preview is sent where the page made one (it is what a person sees, and a fraction of the bytes);
 * an original only when it is as small as a preview. They are read one at a time: a turn holds at most
 * MAX_PICTURES_PER_TURN × PREVIEW_MAX_BYTES of them (and their base64), whatever was uploaded.
 */
import { attachmentKind, PREVIEW_MAX_BYTES, type Attachment } from "../../shared/attachments.ts";
import type { IntentionId } from "../../shared/entities.ts";
import { toBase64 } from "../../shared/signing.ts";
import { SNIFF_BYTES, sniff } from "../../shared/sniff.ts";
import { objectKey } from "../files/store.ts";

/** Pictures one turn sends at most, newest first: each costs the model about as much as a page of text. */
export const MAX_PICTURES_PER_TURN = 4;

/** A message as far as its pictures go. */
export interface WithAttachments {
  id: IntentionId;
  attachments?: Attachment[];
}

/** The data URLs of the newest messages' pictures (at most MAX_PICTURES_PER_TURN in all), by message. */
export async function picturesOf(bucket: R2Bucket, messages: readonly WithAttachments[]): Promise<Map<IntentionId, string[]>> {
  const wanted: Array<{ message: IntentionId; key: string }> = [];
  // Gathered from the newest message's last file back, so the list reversed is in the order they were posted.
  for (const message of [...messages].reverse()) {
    for (const file of [...(message.attachments ?? [])].reverse()) {
      if (wanted.length === MAX_PICTURES_PER_TURN) break;
      if (attachmentKind(file) !== "image" || (!file.preview && file.size > PREVIEW_MAX_BYTES)) continue;
      wanted.push({ message: message.id, key: objectKey(file.id, file.preview ? "preview" : "original") });
    }
  }
  const pictures = new Map<IntentionId, string[]>();
  for (const { message, key } of wanted.reverse()) {
    const url = await dataUrl(bucket, key);
    if (url) pictures.set(message, [...(pictures.get(message) ?? []), url]);
  }
  return pictures;
}

/** An image object as a data URL of the type its bytes say; undefined when it is gone (its message deleted meanwhile). */
async function dataUrl(bucket: R2Bucket, key: string): Promise<string | undefined> {
  const object = await bucket.get(key);
  if (!object) return undefined;
  const bytes = new Uint8Array(await object.arrayBuffer());
  return `data:${sniff(bytes.subarray(0, SNIFF_BYTES)).type};base64,${toBase64(bytes)}`;
}
