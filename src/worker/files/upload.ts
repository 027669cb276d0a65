/**
 * An upload's bytes: its declared length checked against its limit before anything is read, what the bytes are read
 * from their head (src/shared/sniff.ts), and the body streamed into R2, never whole in memory, once its row is
 * reserved; a failed upload leaves neither row nor object.
 */
import type { Attachment, AttachmentId } from "../../shared/attachments.ts";
import { PREVIEW_MAX_SIDE, STILL_IMAGE_TYPES } from "../../shared/attachments.ts";
import { ApiError } from "../../shared/errors.ts";
import type { Db } from "../db/client.ts";
import { discardPreview, discardUpload, markUploaded, setPreview, type PreviewRefusal } from "../db/queries/attachments.ts";
import type { ViewerRef } from "../db/queries/viewer.ts";
import type { AttachmentSettings } from "../settings.ts";
import { SNIFF_BYTES, sniff, type Sniffed } from "../../shared/sniff.ts";
import { collectGarbageLater, objectKey } from "./store.ts";

/** The request's Content-Length: required, not zero, at most `limit` (else 400, or 413 with `details.limit`). */
export function declaredLength(request: Request, limit: number): number {
  const header = request.headers.get("Content-Length");
  if (header === null || !/^\d{1,16}$/.test(header)) throw new ApiError("VALIDATION", "send the file with a Content-Length");
  const length = Number(header);
  if (length === 0) throw new ApiError("VALIDATION", "the file is empty");
  if (length > limit) throw new ApiError("PAYLOAD_TOO_LARGE", `a file may have at most ${limit} bytes`, { limit });
  return length;
}

/** Seconds until the next UTC midnight, when a being's day of uploads starts again. */
function secondsToNextDay(now: Date): number {
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  return Math.ceil((midnight - now.getTime()) / 1000);
}

/**
 * The answer to an upload or preview a rule refused: 429 until tomorrow (UTC) for the uploader's day, 413 for the
 * space's total, 400 for a preview of something it would not make smaller.
 */
export function refused(refusal: PreviewRefusal, limits: AttachmentSettings, now: Date): ApiError {
  if (refusal === "unfit") return new ApiError("VALIDATION", "a preview is only for an image larger than it");
  if (refusal === "being") {
    const limit = limits.dailyBytesPerBeing;
    return new ApiError("RATE_LIMITED", `you may upload ${limit} bytes a day`, { limit }, secondsToNextDay(now));
  }
  return new ApiError("PAYLOAD_TOO_LARGE", `this space's files may hold ${limits.spaceBytes} bytes`, { limit: limits.spaceBytes, scope: "space" });
}

/**
 * An upload's body, held to its declared `length` as it streams: `head`, its first bytes (at least SNIFF_BYTES, or
 * all of it), read at once to learn what it is; `stream`, all of it (the head, then the rest as it arrives) to pass on
 * to R2 without holding the file in memory. The stream errors should the body run past its length or end short, and
 * `failure` tells why.
 */
export interface CheckedBody {
  length: number;
  head: Uint8Array;
  stream: ReadableStream<Uint8Array>;
  failure: () => ApiError | undefined;
}

/** Reads the head of a body of `declared` bytes (an upload cut short before it ends is refused at once). */
export async function checkBody(body: ReadableStream<Uint8Array> | null, declared: number): Promise<CheckedBody> {
  const reader = (body ?? new ReadableStream<Uint8Array>()).getReader();
  let received = 0;
  let failure: ApiError | undefined;
  const next = async (): Promise<Uint8Array | undefined> => {
    const chunk = await reader.read();
    received += chunk.value?.length ?? 0;
    if (received > declared) failure = new ApiError("VALIDATION", "the body is longer than its Content-Length");
    if (chunk.done && received < declared) failure = new ApiError("VALIDATION", "the body ended before its Content-Length: the upload was cut short");
    if (failure) throw failure;
    return chunk.value;
  };
  const chunks: Uint8Array[] = [];
  while (received < Math.min(SNIFF_BYTES, declared)) chunks.push((await next())!);
  const head = concat(chunks, received);
  const stream = new ReadableStream<Uint8Array>({
    start: (controller) => controller.enqueue(head),
    pull: async (controller) => {
      const chunk = await next();
      if (chunk) controller.enqueue(chunk);
      else controller.close();
    },
    cancel: (reason) => reader.cancel(reason),
  });
  return { length: declared, head, stream, failure: () => failure };
}

function concat(chunks: readonly Uint8Array[], length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) bytes.set(chunk, (at += chunk.length) - chunk.length);
  return bytes;
}

/** Streams a checked body into R2 under `key` (its type is its row's); when the body itself fails (too long, cut short), that is the error. */
export async function putBody(bucket: R2Bucket, key: string, body: CheckedBody): Promise<void> {
  try {
    await bucket.put(key, body.stream.pipeThrough(new FixedLengthStream(body.length)));
  } catch (error) {
    throw body.failure() ?? error;
  }
}

/** Streams a reserved upload's bytes into R2 and marks its row stored; on any failure, deletes the row and its object. */
export async function storeUpload(
  db: Db,
  bucket: R2Bucket,
  waitUntil: (promise: Promise<unknown>) => void,
  id: AttachmentId,
  body: ReadableStream<Uint8Array> | null,
  declared: number,
): Promise<Attachment> {
  try {
    const checked = await checkBody(body, declared);
    const sniffed = sniff(checked.head);
    await putBody(bucket, objectKey(id), checked);
    const attachment = await markUploaded(db, id, sniffed, declared);
    if (attachment) return attachment;
    // Its row went while the bytes arrived (its space was deleted), and its garbage was collected before they landed.
    await bucket.delete(objectKey(id));
    throw new ApiError("NOT_FOUND", "space not found");
  } catch (error) {
    // The caller hears of the upload's own failure; should the clean-up fail too, the sweep deletes the row in a day.
    await discardUpload(db, id).catch(() => undefined);
    collectGarbageLater(waitUntil, db, bucket);
    throw error;
  }
}

/** Streams a reserved preview's bytes into R2 and records it on its upload; on any failure, forgets it and deletes its object. */
export async function storePreview(
  db: Db,
  bucket: R2Bucket,
  viewer: ViewerRef,
  id: AttachmentId,
  body: CheckedBody,
  preview: Required<Sniffed>,
): Promise<Attachment> {
  try {
    await putBody(bucket, objectKey(id, "preview"), body);
    return await setPreview(db, viewer, id, preview);
  } catch (error) {
    // Whatever stopped it (the body cut short; the upload attached, or deleted and its garbage collected, while the
    // bytes arrived), no preview object outlives its record.
    await discardPreview(db, id).catch(() => undefined);
    await bucket.delete(objectKey(id, "preview"));
    throw error;
  }
}

/** A preview's type and size read from its bytes: a JPEG, PNG or WebP no larger than PREVIEW_MAX_SIDE (else 400). */
export function previewOf(head: Uint8Array): Required<Sniffed> {
  const { type, width, height } = sniff(head);
  if (!STILL_IMAGE_TYPES.includes(type) || !width || !height) throw new ApiError("VALIDATION", "a preview is a JPEG, PNG or WebP image");
  if (Math.max(width, height) > PREVIEW_MAX_SIDE) {
    throw new ApiError("VALIDATION", `a preview's longest side is at most ${PREVIEW_MAX_SIDE} pixels`);
  }
  return { type, width, height };
}
