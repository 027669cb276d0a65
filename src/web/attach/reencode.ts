/**
 * Photos are re-encoded on this device before they go up: a fresh encoding of the pixels carries none of
 * the original's metadata (GPS position, camera serial). What is a photo is read from the file's bytes, as
 * the server reads it: a JPEG named "photo.bin" is still a photo. An image larger than a screen needs, or
 * heavy, also gets a preview (previewScale), which readers' pages load instead. GIF is sent as it is
 * (re-encoding would stop its animation).
 */
import { IMAGE_BOX, PREVIEW_MAX_BYTES, PREVIEW_MAX_SIDE, STILL_IMAGE_TYPES } from "../../shared/attachments.ts";
import { SNIFF_BYTES, sniff } from "../../shared/sniff.ts";

/** What to upload for a file: its bytes, and a preview when it is a large or heavy image. */
export interface Prepared {
  body: Blob;
  preview?: Blob;
}

/**
 * A file heavier than this gets a preview even when its pixels fit PREVIEW_MAX_SIDE: a conversation of such
 * pictures (a lossless screenshot, a PNG photo) would make every reader's page download each one whole.
 */
const HEAVY_BYTES = 150 * 1024;

/**
 * How much a preview shrinks an image of `width` × `height` whose file is `bytes` long, or undefined when it
 * needs none: an image larger than PREVIEW_MAX_SIDE comes down to it; a heavy one, to the box it is shown in
 * (at one device pixel per CSS pixel: its original is a tap away). A preview is always smaller than its image.
 */
function previewScale(width: number, height: number, bytes: number): number | undefined {
  const longest = Math.max(width, height);
  if (longest > PREVIEW_MAX_SIDE) return PREVIEW_MAX_SIDE / longest;
  const shown = Math.min(IMAGE_BOX.width / width, IMAGE_BOX.height / height);
  return bytes > HEAVY_BYTES && shown < 1 ? shown : undefined;
}

/** Qualities tried in turn until a preview fits PREVIEW_MAX_BYTES. */
const PREVIEW_QUALITIES = [0.8, 0.6, 0.4];

/** The file as it will be uploaded: re-encoded (same type) when its bytes are a JPEG, PNG or WebP image. */
export async function prepare(file: Blob): Promise<Prepared> {
  const { type } = sniff(new Uint8Array(await file.slice(0, SNIFF_BYTES).arrayBuffer()));
  if (!STILL_IMAGE_TYPES.includes(type)) return { body: file };
  // createImageBitmap applies the EXIF orientation, so a turned photo stays upright without it.
  const bitmap = await createImageBitmap(file);
  try {
    const body = await encode(bitmap, bitmap.width, bitmap.height, type, 0.9);
    const scale = previewScale(bitmap.width, bitmap.height, body.size);
    return scale ? { body, preview: await previewOf(bitmap, scale) } : { body };
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
