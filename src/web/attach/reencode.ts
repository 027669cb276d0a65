/**
 * Photos are re-encoded on this device before they go up: a fresh encoding of the pixels carries none of
 * the original's metadata (GPS position, camera serial). What is a photo is read from the file's bytes, as
 * the server reads it: a JPEG named "photo.bin" is still a photo. An image larger than a screen needs also
 * gets a preview. GIF is sent as it is (re-encoding would stop its animation).
 */
import { PREVIEW_MAX_BYTES, PREVIEW_MAX_SIDE } from "../../shared/attachments.ts";
import { SNIFF_BYTES, sniff } from "../../shared/sniff.ts";

/** Types whose metadata is removed by re-encoding. */
export const REENCODED_TYPES: readonly string[] = ["image/jpeg", "image/png", "image/webp"];

/** What to upload for a file: its bytes, and a preview when it is a large image. */
export interface Prepared {
  body: Blob;
  preview?: Blob;
}

/** Qualities tried in turn until a preview fits PREVIEW_MAX_BYTES. */
const PREVIEW_QUALITIES = [0.8, 0.6, 0.4];

/** The file as it will be uploaded: re-encoded (same type) when its bytes are a JPEG, PNG or WebP image. */
export async function prepare(file: Blob): Promise<Prepared> {
  const { type } = sniff(new Uint8Array(await file.slice(0, SNIFF_BYTES).arrayBuffer()));
  if (!REENCODED_TYPES.includes(type)) return { body: file };
  // createImageBitmap applies the EXIF orientation, so a turned photo stays upright without it.
  const bitmap = await createImageBitmap(file);
  try {
    const body = await encode(bitmap, bitmap.width, bitmap.height, type, 0.9);
    const scale = PREVIEW_MAX_SIDE / Math.max(bitmap.width, bitmap.height);
    return scale < 1 ? { body, preview: await previewOf(bitmap, scale) } : { body };
  } finally {
    bitmap.close();
  }
}

/** A smaller WebP (JPEG where the browser cannot write WebP) within PREVIEW_MAX_BYTES, or none. */
async function previewOf(bitmap: ImageBitmap, scale: number): Promise<Blob | undefined> {
  const width = Math.max(1, Math.round(bitmap.width * scale));
  const height = Math.max(1, Math.round(bitmap.height * scale));
  for (const quality of PREVIEW_QUALITIES) {
    let preview = await encode(bitmap, width, height, "image/webp", quality);
    // A browser that cannot write a type writes PNG instead, which is rarely small.
    if (preview.type !== "image/webp") preview = await encode(bitmap, width, height, "image/jpeg", quality);
    if (preview.size <= PREVIEW_MAX_BYTES) return preview;
  }
  return undefined;
}

/** The bitmap drawn at width × height and encoded as `type`. */
async function encode(bitmap: ImageBitmap, width: number, height: number, type: string, quality: number): Promise<Blob> {
  if (typeof OffscreenCanvas !== "undefined") {
    const canvas = new OffscreenCanvas(width, height);
    canvas.getContext("2d")!.drawImage(bitmap, 0, 0, width, height);
    return canvas.convertToBlob({ type, quality });
  }
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  canvas.getContext("2d")!.drawImage(bitmap, 0, 0, width, height);
  return new Promise((resolve, reject) => canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("this image could not be encoded"))), type, quality));
}
