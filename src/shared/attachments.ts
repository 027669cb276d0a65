/**
 * Files attached to messages (stored in R2, served by the worker): their public shape, their ids and
 * addresses, and how each type is shown. The worker decides a file's type from its bytes (never its
 * name or the client's word); these lists decide what a page may show in place and what is only a download.
 */

/** "f" and 26 characters: an attachment's id, chosen by the server at upload. */
export type AttachmentId = `f${string}`;

/** An attachment as messages, changes and the upload's answer carry it. The bytes never travel with it. */
export interface Attachment {
  id: AttachmentId;
  /** The file's name as uploaded, made safe: no path, no control characters, at most 200 characters. */
  name: string;
  /** The MIME type the worker read from the bytes ("application/octet-stream" when it knows none). */
  type: string;
  /** Bytes of the original. */
  size: number;
  /** An image's pixel size, read from its bytes: a page reserves the room before it loads. */
  width?: number;
  height?: number;
  /** A smaller rendition for the screen (an image's, made by the uploading page), when there is one. */
  preview?: { width: number; height: number };
}

export const ATTACHMENT_ID_PATTERN = /^f[0-9A-HJKMNP-TV-Z]{26}$/;

/** True when `value` has the shape of an attachment id. */
export function isAttachmentId(value: string): value is AttachmentId {
  return ATTACHMENT_ID_PATTERN.test(value);
}

/** Files one message may carry. */
export const MAX_ATTACHMENTS_PER_MESSAGE = 10;

/** A preview's longest side, in pixels, and its largest size in bytes. */
export const PREVIEW_MAX_SIDE = 1280;
export const PREVIEW_MAX_BYTES = 1024 * 1024;

/** The largest box a message shows an image in, in CSS pixels (a narrower column narrows it further). */
export const IMAGE_BOX = { width: 480, height: 360 } as const;

/**
 * Still images: what a page re-encodes before upload (a fresh encoding drops the metadata) and what a preview
 * may be. GIF is not among them: re-encoding it would stop its animation.
 */
export const STILL_IMAGE_TYPES: readonly string[] = ["image/jpeg", "image/png", "image/webp"];
/** Images a page shows in place. */
export const INLINE_IMAGE_TYPES: readonly string[] = [...STILL_IMAGE_TYPES, "image/gif"];
/** Video and audio a page plays in place. */
export const INLINE_VIDEO_TYPES: readonly string[] = ["video/mp4", "video/webm"];
export const INLINE_AUDIO_TYPES: readonly string[] = ["audio/mpeg", "audio/ogg", "audio/wav", "audio/mp4", "audio/webm"];

/** How a page shows an attachment: anything that is not a known image, video or audio is a download. */
export type AttachmentKind = "image" | "video" | "audio" | "file";

/** An image larger than this (in pixels) is shown in place only through its preview: every reader would decode it whole. */
export const MAX_INLINE_PIXELS = 40_000_000;

/**
 * The way to show `attachment`, by its type; but an image without a preview is shown in place only when its bytes
 * told its size and it is at most MAX_INLINE_PIXELS (else a download). The worker serves it so, the page shows it so.
 */
export function attachmentKind(attachment: Pick<Attachment, "type" | "width" | "height" | "preview">): AttachmentKind {
  const { type, width, height, preview } = attachment;
  if (INLINE_IMAGE_TYPES.includes(type)) return preview || (width && height && width * height <= MAX_INLINE_PIXELS) ? "image" : "file";
  if (INLINE_VIDEO_TYPES.includes(type)) return "video";
  if (INLINE_AUDIO_TYPES.includes(type)) return "audio";
  return "file";
}

/** Where a file is served: the original, its preview, or the original as a download. */
export function attachmentUrl(id: AttachmentId, as: "original" | "preview" | "download" = "original"): string {
  if (as === "preview") return `/api/attachments/${id}/preview`;
  return as === "download" ? `/api/attachments/${id}?download=1` : `/api/attachments/${id}`;
}
