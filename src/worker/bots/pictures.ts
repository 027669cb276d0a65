/**
 * The pictures a bot whose model accepts images is shown: the images attached to the newest messages it reads,
 * read from R2 and sent inline as data URLs, so a private space's file never gets an address anyone could fetch.
 * The screen-sized preview is sent where the page made one (it is what a person sees, and a fraction of the bytes).
 */
import { attachmentKind, type Attachment } from "../../shared/attachments.ts";
import type { IntentionId } from "../../shared/entities.ts";
import { toBase64 } from "../../shared/signing.ts";
import { objectKey } from "../files/store.ts";

/** Pictures one turn sends at most, newest first: each costs the model about as much as a page of text. */
export const MAX_PICTURES_PER_TURN = 4;

/** An original larger than this, without a preview, is left out: providers refuse images of 20 MB and more. */
export const MAX_PICTURE_BYTES = 8 * 1024 * 1024;

/** A message as far as its pictures go. */
export interface WithAttachments {
  id: IntentionId;
  attachments?: Attachment[];
}

/** The data URLs of the newest messages' pictures (at most MAX_PICTURES_PER_TURN in all), by message. */
export async function picturesOf(bucket: R2Bucket, messages: readonly WithAttachments[]): Promise<Map<IntentionId, string[]>> {
  const wanted: Array<{ message: IntentionId; key: string }> = [];
  for (const message of [...messages].reverse()) {
    for (const file of message.attachments ?? []) {
      if (wanted.length === MAX_PICTURES_PER_TURN) break;
      if (attachmentKind(file.type) !== "image" || (!file.preview && file.size > MAX_PICTURE_BYTES)) continue;
      wanted.push({ message: message.id, key: objectKey(file.id, file.preview ? "preview" : "original") });
    }
  }
  const read = await Promise.all(wanted.map(async ({ message, key }) => ({ message, url: await dataUrl(bucket, key) })));
  const pictures = new Map<IntentionId, string[]>();
  // Back in the order the message carries them (they were gathered newest message first).
  for (const { message, url } of read.reverse()) if (url) pictures.set(message, [...(pictures.get(message) ?? []), url]);
  return pictures;
}

/** An object as a data URL of its stored type; undefined when it is gone (its message deleted meanwhile). */
async function dataUrl(bucket: R2Bucket, key: string): Promise<string | undefined> {
  const object = await bucket.get(key);
  if (!object) return undefined;
  const type = object.httpMetadata?.contentType ?? "application/octet-stream";
  return `data:${type};base64,${toBase64(new Uint8Array(await object.arrayBuffer()))}`;
}
