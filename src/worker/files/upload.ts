/**
 * An upload's bytes: its declared length checked against its limit before anything is read, the body read up to
 * that length, and what the bytes are (src/shared/sniff.ts). Stored in R2 only once its row is reserved;
 * a failed upload leaves neither row nor object.
 */
import type { Attachment, AttachmentId } from "../../shared/attachments.ts";
import { PREVIEW_MAX_SIDE } from "../../shared/attachments.ts";
import { ApiError } from "../../shared/errors.ts";
import type { Db } from "../db/client.ts";
import { discardUpload, markUploaded, type QuotaRefusal } from "../db/queries/attachments.ts";
import type { AttachmentSettings } from "../settings.ts";
import { SNIFF_BYTES, sniff } from "../../shared/sniff.ts";
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

/** The answer to an upload a quota refused: 429 until tomorrow (UTC) for the uploader's day, 413 for the space's total. */
export function quotaExceeded(refusal: QuotaRefusal, limits: AttachmentSettings, now: Date): ApiError {
  if (refusal === "being") {
    const limit = limits.dailyBytesPerBeing;
    return new ApiError("RATE_LIMITED", `you may upload ${limit} bytes a day`, { limit }, secondsToNextDay(now));
  }
  return new ApiError("PAYLOAD_TOO_LARGE", `this space's files may hold ${limits.spaceBytes} bytes`, { limit: limits.spaceBytes, scope: "space" });
}

/** The body's bytes: exactly `declared` of them (more, or fewer: an upload cut short, is refused). */
export async function readBody(body: ReadableStream<Uint8Array> | null, declared: number): Promise<Uint8Array> {
  const bytes = new Uint8Array(declared);
  let length = 0;
  const reader = body?.getReader();
  for (let chunk = await reader?.read(); chunk && !chunk.done; chunk = await reader!.read()) {
    if (length + chunk.value.length > declared) throw new ApiError("VALIDATION", "the body is longer than its Content-Length");
    bytes.set(chunk.value, length);
    length += chunk.value.length;
  }
  if (length < declared) throw new ApiError("VALIDATION", "the body ended before its Content-Length: the upload was cut short");
  return bytes;
}

/** Reads a reserved upload's bytes into R2 and marks its row stored; on any failure, deletes the row and its object. */
export async function storeUpload(
  db: Db,
  bucket: R2Bucket,
  waitUntil: (promise: Promise<unknown>) => void,
  id: AttachmentId,
  body: ReadableStream<Uint8Array> | null,
  declared: number,
): Promise<Attachment> {
  try {
    const bytes = await readBody(body, declared);
    const sniffed = sniff(bytes.subarray(0, SNIFF_BYTES));
    await bucket.put(objectKey(id), bytes, { httpMetadata: { contentType: sniffed.type } });
    return await markUploaded(db, id, sniffed, bytes.length);
  } catch (error) {
    // The caller hears of the upload's own failure; should the clean-up fail too, the sweep deletes the row in a day.
    await discardUpload(db, id).catch(() => undefined);
    collectGarbageLater(waitUntil, db, bucket);
    throw error;
  }
}

/** Types a preview may have: images every browser shows. */
const PREVIEW_TYPES = ["image/jpeg", "image/png", "image/webp"];

/** A preview's type and size read from its bytes: a JPEG, PNG or WebP no larger than PREVIEW_MAX_SIDE (else 400). */
export function previewOf(bytes: Uint8Array): { type: string; width: number; height: number } {
  const { type, width, height } = sniff(bytes.subarray(0, SNIFF_BYTES));
  if (!PREVIEW_TYPES.includes(type) || !width || !height) throw new ApiError("VALIDATION", "a preview is a JPEG, PNG or WebP image");
  if (Math.max(width, height) > PREVIEW_MAX_SIDE) {
    throw new ApiError("VALIDATION", `a preview's longest side is at most ${PREVIEW_MAX_SIDE} pixels`);
  }
  return { type, width, height };
}
