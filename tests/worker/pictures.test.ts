// The pictures a bot is shown (src/worker/bots/pictures.ts), read from Miniflare's R2: the newest four images,
// each as its preview where there is one, an original only when it is as small as a preview, and never a
// file that is not an image or an object that is gone.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { PREVIEW_MAX_BYTES, type Attachment, type AttachmentId } from "../../src/shared/attachments.ts";
import type { IntentionId } from "../../src/shared/entities.ts";
import { newAttachmentId } from "../../src/shared/ids.ts";
import { toBase64 } from "../../src/shared/signing.ts";
import { MAX_PICTURES_PER_TURN, picturesOf } from "../../src/worker/bots/pictures.ts";
import { objectKey } from "../../src/worker/files/store.ts";
import { png } from "./files.ts";

/** An image attachment whose bytes (and preview's, if given) are in R2. */
async function stored(bytes: Uint8Array, preview?: Uint8Array, size = bytes.length): Promise<Attachment> {
  const id = newAttachmentId();
  await env.FILES.put(objectKey(id), bytes);
  if (preview) await env.FILES.put(objectKey(id, "preview"), preview);
  return { id, name: `${id}.png`, type: "image/png", size, width: 8, height: 8, ...(preview ? { preview: { width: 4, height: 4 } } : {}) };
}

const dataUrl = (bytes: Uint8Array) => `data:image/png;base64,${toBase64(bytes)}`;

describe("the pictures a bot is shown", () => {
  it("are the newest messages' images, at most four, each message's in its own order", async () => {
    const bytes = Array.from({ length: 6 }, (_, i) => png(8, 8, i + 1));
    const files = await Promise.all(bytes.map((b) => stored(b)));
    const messages = [
      { id: "/m1" as IntentionId, attachments: files.slice(0, 2) },
      { id: "/m2" as IntentionId, attachments: files.slice(2, 4) },
      { id: "/m3" as IntentionId, attachments: files.slice(4, 6) },
    ];
    const pictures = await picturesOf(env.FILES, messages);
    expect(MAX_PICTURES_PER_TURN).toBe(4);
    expect(pictures.get("/m1" as IntentionId)).toBeUndefined();
    expect(pictures.get("/m2" as IntentionId)).toEqual([dataUrl(bytes[2]!), dataUrl(bytes[3]!)]);
    expect(pictures.get("/m3" as IntentionId)).toEqual([dataUrl(bytes[4]!), dataUrl(bytes[5]!)]);
  });

  it("send a preview where there is one; an original larger than a preview may be without one is left out, as are other files and gone objects", async () => {
    const preview = png(4, 4, 3);
    const withPreview = await stored(png(8, 8, 9), preview, 5 * 1024 * 1024);
    const heavy = await stored(png(8, 8, 10), undefined, PREVIEW_MAX_BYTES + 1);
    const pdf: Attachment = { ...(await stored(new TextEncoder().encode("%PDF-1.7"))), type: "application/pdf" };
    const gone: Attachment = { id: newAttachmentId() as AttachmentId, name: "gone.png", type: "image/png", size: 10 };
    const pictures = await picturesOf(env.FILES, [{ id: "/m" as IntentionId, attachments: [withPreview, heavy, pdf, gone] }]);
    expect(pictures.get("/m" as IntentionId)).toEqual([dataUrl(preview)]);
  });
});
