/**
 * The requests that carry a file's bytes (docs/api.md, Attachments). They go by XMLHttpRequest, not fetch:
 * only it reports upload progress. Answers and errors are read by `call`, as every other request's.
 */
import type { ClientResponse } from "hono/client";
import type { Attachment, AttachmentId } from "../../shared/attachments.ts";
import type { BeingId } from "../../shared/entities.ts";
import { call } from "../api.ts";

export interface SendOptions {
  /** Told the fraction of the body sent so far, 0 to 1. */
  onProgress?(fraction: number): void;
  signal?: AbortSignal;
}

type AttachmentAnswer = ClientResponse<{ attachment: Attachment }, number, "json">;

/** Uploads a file to a space: the server's new attachment, unattached until a message names it. */
export async function uploadFile(spaceId: BeingId, name: string, body: Blob, options: SendOptions = {}): Promise<Attachment> {
  const url = `/api/spaces/${encodeURIComponent(spaceId)}/attachments?name=${encodeURIComponent(name)}`;
  return (await call(() => send("POST", url, body, options))).attachment;
}

/** Gives an uploaded image its preview (made by this page); answers the attachment with `preview` set. */
export async function putPreview(id: AttachmentId, body: Blob): Promise<Attachment> {
  return (await call(() => send("PUT", `/api/attachments/${id}/preview`, body))).attachment;
}

/** One request; rejects as fetch does when the network fails (or the request is aborted). */
function send(method: string, url: string, body: Blob, options: SendOptions = {}): Promise<AttachmentAnswer> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open(method, url);
    request.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) options.onProgress?.(event.loaded / event.total);
    };
    request.onload = () => {
      const wait = request.getResponseHeader("Retry-After");
      const response = new Response(request.responseText || null, { status: request.status, statusText: request.statusText, headers: wait ? { "Retry-After": wait } : {} });
      // The route is typed by the worker's app; this request is built by hand only to see its progress.
      resolve(response as unknown as AttachmentAnswer);
    };
    request.onerror = () => reject(new TypeError("the upload failed"));
    request.onabort = () => reject(new DOMException("the upload was cancelled", "AbortError"));
    options.signal?.addEventListener("abort", () => request.abort(), { once: true });
    request.send(body);
  });
}
