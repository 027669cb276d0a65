/**
 * The outbox's side of a message's files (loaded with the first message that has any): they are kept on
 * this device until the message is sent, uploaded (or found already up) before it posts, and let go after.
 */
import type { Attachment, AttachmentId } from "../../shared/attachments.ts";
import { ApiError } from "../../shared/errors.ts";
import type { OutboxEntry, OutboxFile } from "../sync/outbox.ts";
import { dropKept, keep, kept } from "./kept-files.ts";
import { addUpload, attachmentOf, cancelUpload, uploadBlob, uploads, UploadCancelled } from "./uploads.ts";

/** True when a file's upload was stopped because it was removed from its message. */
export function isCancelled(error: unknown): boolean {
  return error instanceof UploadCancelled;
}

/** Keeps the files' bytes (which the composer's uploads hold) until the message is sent or dropped. */
export async function keepFiles(files: readonly OutboxFile[]): Promise<void> {
  for (const file of files) {
    const blob = uploadBlob(file.key);
    if (blob) await keep(file.key, blob);
  }
}

/**
 * The ids of the entry's files, in order, uploading those not yet up (`onUploaded` is told of each, so a retry
 * does not upload it again). After a reload a file's upload starts again from the bytes kept on this device.
 */
export async function attachmentIds(entry: OutboxEntry, onUploaded: (key: string, attachment: Attachment) => void): Promise<AttachmentId[]> {
  const files = entry.files ?? [];
  for (const file of files) {
    if (file.attachment || uploads[file.key]) continue;
    const blob = await kept(file.key);
    if (!blob) throw new ApiError("VALIDATION", `${file.name} is no longer on this device: remove it and attach it again`);
    addUpload(entry.spaceId, blob, file.name, file.key);
  }
  const ids: AttachmentId[] = [];
  for (const file of files) {
    const attachment = file.attachment ?? (await attachmentOf(file.key));
    if (!file.attachment) onUploaded(file.key, attachment);
    ids.push(attachment.id);
  }
  return ids;
}

/**
 * The files whose attachments the server refused as no longer usable (400 VALIDATION naming them in
 * `details.attachments`: an upload left unattached for a day, while this device was offline, is swept). They
 * are forgotten here, so the next attempt uploads them again from the bytes kept on this device.
 */
export function forgetUnusable(entry: OutboxEntry, error: unknown): OutboxFile[] {
  const details = error instanceof ApiError && error.code === "VALIDATION" ? (error.details as { attachments?: unknown } | undefined) : undefined;
  const ids = Array.isArray(details?.attachments) ? (details.attachments as unknown[]) : [];
  const unusable = (entry.files ?? []).filter((file) => file.attachment && ids.includes(file.attachment.id));
  for (const file of unusable) cancelUpload(file.key);
  return unusable;
}

/** Lets go of files: their message was sent, or they were dropped from it (an upload under way stops). */
export function release(files: readonly OutboxFile[]): void {
  for (const file of files) {
    cancelUpload(file.key);
    void dropKept(file.key);
  }
}
