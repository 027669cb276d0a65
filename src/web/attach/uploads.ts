/**
 * Files going up, one store for the page: the composer's tray adds them as soon as they are chosen (so
 * they upload while the caption is written), and the outbox waits for them before it posts the message.
 * Each upload is prepared (reencode.ts), sent with its progress shown, and can be cancelled or retried.
 */
import { createStore } from "solid-js/store";
import type { Attachment } from "../../shared/attachments.ts";
import type { BeingId } from "../../shared/entities.ts";
import { errorMessage } from "../../shared/errors.ts";
import { randomId } from "../../shared/ids.ts";
import { isRetryable } from "../api.ts";
import { prepare } from "./reencode.ts";
import { putPreview, uploadFile } from "./upload-request.ts";

/** `queued`: being prepared, or not started; `failed`: see `error` (Retry starts it again). */
export type UploadStatus = "queued" | "uploading" | "done" | "failed";

export interface Upload {
  key: string;
  spaceId: BeingId;
  name: string;
  size: number;
  type: string;
  status: UploadStatus;
  /** The fraction of the bytes sent, 0 to 1. */
  progress: number;
  attachment?: Attachment;
  error?: string;
  /** It failed for want of the network (or the server asked to wait): it starts again when the network is back. */
  retryable?: boolean;
  /** An address of the picked image itself, for its thumbnail (none for other files). */
  thumbnail?: string;
}

/** Thrown to whoever waits for an upload that was cancelled. */
export class UploadCancelled extends Error {
  constructor() {
    super("the upload was cancelled");
    this.name = "UploadCancelled";
  }
}

const [items, setItems] = createStore<Record<string, Upload | undefined>>({});
const blobs = new Map<string, Blob>();
const attempts = new Map<string, { controller: AbortController; done: Promise<Attachment> }>();

/** The uploads by key (a Solid store: read it in a component and it stays current). */
export const uploads: Readonly<Record<string, Upload | undefined>> = items;

addEventListener("online", () => {
  for (const item of Object.values(items)) if (item?.status === "failed" && item.retryable) start(item.key);
});

/** Starts uploading `file` to the space; answers its key (`key`: the one a kept file had before a reload). */
export function addUpload(spaceId: BeingId, file: Blob, name: string, key = randomId(16)): string {
  blobs.set(key, file);
  const thumbnail = file.type.startsWith("image/") ? URL.createObjectURL(file) : undefined;
  setItems(key, { key, spaceId, name, size: file.size, type: file.type, status: "queued", progress: 0, thumbnail });
  start(key);
  return key;
}

/** The bytes of an upload this page holds. */
export function uploadBlob(key: string): Blob | undefined {
  return blobs.get(key);
}

/** The upload's attachment once it is up; a failed upload is tried again. Rejects with its failure, or UploadCancelled. */
export function attachmentOf(key: string): Promise<Attachment> {
  const item = items[key];
  if (!item) return Promise.reject(new UploadCancelled());
  if (item.attachment) return Promise.resolve(item.attachment);
  if (item.status === "failed") start(key);
  return attempts.get(key)!.done;
}

/** Tries a failed upload again. */
export function retryUpload(key: string): void {
  if (items[key]?.status === "failed") start(key);
}

/**
 * Stops an upload under way and forgets it: it was removed, or its message is sent. (An upload never
 * attached to a message is deleted by the server's sweeper.)
 */
export function cancelUpload(key: string): void {
  attempts.get(key)?.controller.abort();
  const thumbnail = items[key]?.thumbnail;
  if (thumbnail) URL.revokeObjectURL(thumbnail);
  attempts.delete(key);
  blobs.delete(key);
  setItems(key, undefined);
}

function start(key: string): void {
  const controller = new AbortController();
  const done = attempt(key, controller.signal);
  // Nobody may be waiting for it yet (the tray only shows it): its failure is in the store.
  done.catch(() => undefined);
  attempts.set(key, { controller, done });
}

async function attempt(key: string, signal: AbortSignal): Promise<Attachment> {
  const item = items[key]!;
  const patch = (change: Partial<Upload>) => !signal.aborted && setItems(key, change);
  patch({ status: "queued", progress: 0, error: undefined, retryable: undefined });
  try {
    const prepared = await prepare(blobs.get(key)!);
    // Cancelled while it was being prepared: a request given an aborted signal would never hear of it.
    signal.throwIfAborted();
    patch({ status: "uploading" });
    let attachment = await uploadFile(item.spaceId, item.name, prepared.body, { signal, onProgress: (progress) => patch({ progress }) });
    // The preview only spares readers' bandwidth: without it they are shown the original.
    if (prepared.preview) attachment = await putPreview(attachment.id, prepared.preview).catch(() => attachment);
    if (signal.aborted) throw new UploadCancelled();
    patch({ status: "done", progress: 1, attachment });
    return attachment;
  } catch (error) {
    if (signal.aborted) throw new UploadCancelled();
    patch({ status: "failed", error: errorMessage(error), retryable: isRetryable(error) });
    throw error;
  }
}
