import "fake-indexeddb/auto";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Attachment, AttachmentId } from "../../src/shared/attachments.ts";
import type { IntentionId } from "../../src/shared/entities.ts";
import { ApiError } from "../../src/shared/errors.ts";
import { OfflineError } from "../../src/web/api.ts";
import { keep, kept } from "../../src/web/attach/kept-files.ts";
import { addUpload, uploads } from "../../src/web/attach/uploads.ts";
import { uploadFile } from "../../src/web/attach/upload-request.ts";
import { backoff } from "../../src/web/sync/backoff.ts";
import { createOutbox, type Outbox, type OutboxFile } from "../../src/web/sync/outbox.ts";
import { apiError, fakeServer, json, type Call } from "./support/fake-server.ts";
import { said, SPACE } from "./support/fixtures.ts";

// The bytes' way up is XMLHttpRequest (tested in attachments-upload.test.ts): here it is a function the test answers.
vi.mock("../../src/web/attach/upload-request.ts", () => ({ uploadFile: vi.fn(), putPreview: vi.fn() }));
vi.mock("../../src/web/attach/reencode.ts", async (original) => ({
  ...(await original<typeof import("../../src/web/attach/reencode.ts")>()),
  prepare: async (file: Blob) => ({ body: file }),
}));
const upload = vi.mocked(uploadFile);

const POST = "POST /api/spaces/%40s/intentions";
const KEY = "spaces:outbox:@me";
let uploaded = 0;
const attachmentOf = (name: string, size: number): Attachment => ({ id: `f${String(++uploaded).padStart(26, "0")}` as AttachmentId, name, type: "application/pdf", size });
const stored = (call: Call) => {
  const body = call.body as { id: IntentionId; content: string[]; attachments: AttachmentId[] };
  return json({ intention: said(body.id, 3, { ownerId: "@me", content: body.content }), seq: 6 }, 201);
};

let outboxes: Outbox[] = [];
function open() {
  const outbox = createOutbox({ storageKey: KEY, delays: backoff(60_000, 60_000) });
  outboxes.push(outbox);
  return outbox;
}
/** A file picked in the composer: its upload starts at once. */
function picked(name: string, text = "%PDF-1.7 bytes"): OutboxFile {
  const file = new File([text], name, { type: "application/pdf" });
  return { key: addUpload(SPACE, file, name), name, size: file.size, type: file.type };
}
const postsOf = (server: ReturnType<typeof fakeServer>) => server.callsTo(POST).map((call) => call.body);

beforeEach(() => {
  localStorage.clear();
  upload.mockReset();
  upload.mockImplementation(async (_space, name, body) => attachmentOf(name, body.size));
});
afterEach(() => {
  for (const outbox of outboxes) outbox.close();
  outboxes = [];
  vi.restoreAllMocks();
});

describe("a message with files", () => {
  it("waits for its uploads, then posts the caption with the files' ids in the order attached", async () => {
    const server = fakeServer({ [POST]: stored });
    const slow = Promise.withResolvers<Attachment>();
    upload.mockImplementationOnce(() => slow.promise);
    const files = [picked("report.pdf"), picked("notes.pdf")];
    const outbox = open();
    const id = outbox.send(SPACE, "", files);
    expect(outbox.entries).toMatchObject([{ id, text: "", files: [{ name: "report.pdf" }, { name: "notes.pdf" }] }]);
    await vi.waitFor(() => expect(outbox.entries[0]?.status).toBe("sending"));
    expect(postsOf(server)).toEqual([]);

    const first = attachmentOf("report.pdf", 14);
    slow.resolve(first);
    await vi.waitFor(() => expect(outbox.entries).toHaveLength(0));
    expect(postsOf(server)).toEqual([{ id, content: [""], attachments: [first.id, expect.stringMatching(/^f0+\d+$/)] }]);
    // Sent: the page lets go of the files.
    expect(uploads[files[0]!.key]).toBeUndefined();
    await vi.waitFor(async () => expect(await kept(files[0]!.key)).toBeUndefined());
  });

  it("keeps the files on this device with the entry, and a reloaded page uploads them from there and sends the message", async () => {
    // Offline: the upload cannot start, the message waits.
    upload.mockRejectedValue(new OfflineError(new TypeError("Failed to fetch")));
    const server = fakeServer({ [POST]: stored });
    const file = picked("plan.pdf", "the plan");
    const outbox = open();
    const id = outbox.send(SPACE, "the plan", [file]);
    await vi.waitFor(() => expect(outbox.entries[0]?.status).toBe("queued"));
    await vi.waitFor(async () => expect(await (await kept(file.key))?.text()).toBe("the plan"));
    expect(JSON.parse(localStorage.getItem(KEY)!)).toMatchObject([{ id, files: [{ key: file.key, name: "plan.pdf", size: 8 }] }]);
    outbox.close();

    // The reloaded page has no uploads in memory: only what IndexedDB and localStorage kept.
    const reloaded = JSON.parse(localStorage.getItem(KEY)!) as { files: OutboxFile[] }[];
    const key = "reloaded-key";
    await keep(key, new Blob(["the plan"], { type: "application/pdf" }));
    localStorage.setItem(KEY, JSON.stringify([{ ...reloaded[0], files: [{ ...reloaded[0]!.files[0], key }] }]));
    upload.mockReset();
    upload.mockImplementation(async (_space, name, body) => attachmentOf(name, body.size));
    const again = open();
    await vi.waitFor(() => expect(again.entries).toHaveLength(0));
    expect(upload).toHaveBeenCalledTimes(1);
    expect(await upload.mock.calls[0]![2].text()).toBe("the plan");
    expect(postsOf(server)).toMatchObject([{ id, content: ["the plan"], attachments: [expect.any(String)] }]);
  });

  it("uploads while offline when the network is back, then posts", async () => {
    let online = false;
    upload.mockImplementation(async (_space, name, body) => {
      if (!online) throw new OfflineError(new TypeError("Failed to fetch"));
      return attachmentOf(name, body.size);
    });
    const server = fakeServer({ [POST]: stored });
    const outbox = open();
    outbox.send(SPACE, "offline photo", [picked("a.pdf")]);
    await vi.waitFor(() => expect(outbox.entries[0]?.status).toBe("queued"));
    expect(postsOf(server)).toEqual([]);

    online = true;
    window.dispatchEvent(new Event("online"));
    await vi.waitFor(() => expect(outbox.entries).toHaveLength(0));
    expect(postsOf(server)).toHaveLength(1);
  });

  it("remembers uploaded files, so a retry after a refused post does not upload them again", async () => {
    let refuse = true;
    const server = fakeServer({ [POST]: (call) => (refuse ? apiError(403, "FORBIDDEN", "you may not write here") : stored(call)) });
    const outbox = open();
    const id = outbox.send(SPACE, "x", [picked("once.pdf")]);
    await vi.waitFor(() => expect(outbox.entries[0]?.status).toBe("failed"));
    expect(outbox.entries[0]?.files?.[0]?.attachment).toMatchObject({ name: "once.pdf" });
    expect(JSON.parse(localStorage.getItem(KEY)!)[0].files[0].attachment.name).toBe("once.pdf");

    refuse = false;
    outbox.retry(id);
    await vi.waitFor(() => expect(outbox.entries).toHaveLength(0));
    expect(upload).toHaveBeenCalledTimes(1);
    const [first, second] = postsOf(server) as { attachments: string[] }[];
    expect(second!.attachments).toEqual(first!.attachments);
  });

  it("uploads again, from the bytes kept on this device, the files the server swept while the message waited, then posts", async () => {
    const swept = (ids: AttachmentId[]) => json({ error: { code: "VALIDATION", message: "an attachment is no longer available", details: { attachments: ids } } }, 400);
    const posts: AttachmentId[][] = [];
    const server = fakeServer({
      [POST]: (call) => {
        const ids = (call.body as { attachments: AttachmentId[] }).attachments;
        posts.push(ids);
        // The first message's first upload was swept; the next message's file is refused every time.
        if (posts.length === 2) return stored(call);
        return swept(posts.length === 1 ? [ids[0]!] : ids);
      },
    });
    const outbox = open();
    const id = outbox.send(SPACE, "late", [picked("old.pdf", "old bytes"), picked("fresh.pdf")]);
    await vi.waitFor(() => expect(outbox.entries).toHaveLength(0));
    expect(upload).toHaveBeenCalledTimes(3);
    expect(await upload.mock.calls[2]![2].text()).toBe("old bytes");
    expect(postsOf(server)).toMatchObject([{ id }, { id }]);
    expect(posts[1]![0]).not.toBe(posts[0]![0]);
    expect(posts[1]![1]).toBe(posts[0]![1]);

    // Refused again right after uploading again: the message fails, it does not upload forever.
    const next = outbox.send(SPACE, "again", [picked("third.pdf")]);
    await vi.waitFor(() => expect(outbox.entries[0]?.status).toBe("failed"));
    expect(outbox.entries[0]).toMatchObject({ id: next, error: "an attachment is no longer available" });
    expect(upload).toHaveBeenCalledTimes(5);
  });

  it("fails with the server's reason when a file is refused, and sends the rest once it is taken out", async () => {
    upload.mockImplementation(async (_space, name, body) => {
      if (name === "huge.bin") throw new ApiError("PAYLOAD_TOO_LARGE", "the file is larger than 25 MiB");
      return attachmentOf(name, body.size);
    });
    const server = fakeServer({ [POST]: stored });
    const outbox = open();
    const huge = picked("huge.bin");
    const id = outbox.send(SPACE, "two files", [picked("fine.pdf"), huge]);
    await vi.waitFor(() => expect(outbox.entries[0]?.status).toBe("failed"));
    expect(outbox.entries[0]?.error).toBe("the file is larger than 25 MiB");
    expect(uploads[huge.key]).toMatchObject({ status: "failed", error: "the file is larger than 25 MiB" });

    outbox.dropFile(id, huge.key);
    await vi.waitFor(() => expect(uploads[huge.key]).toBeUndefined());
    outbox.retry(id);
    await vi.waitFor(() => expect(outbox.entries).toHaveLength(0));
    expect(postsOf(server)).toMatchObject([{ id, attachments: [expect.any(String)] }]);
  });

  it("cancels an upload under way when its file is taken out, and posts without it", async () => {
    const server = fakeServer({ [POST]: stored });
    let signal: AbortSignal | undefined;
    upload.mockImplementationOnce((_space, _name, _body, options) => {
      signal = options?.signal;
      // As the request does: it ends only when aborted.
      return new Promise((_resolve, reject) => signal!.addEventListener("abort", () => reject(new OfflineError(new DOMException("aborted", "AbortError")))));
    });
    const outbox = open();
    const stuck = picked("stuck.pdf");
    const id = outbox.send(SPACE, "caption", [stuck, picked("quick.pdf")]);
    await vi.waitFor(() => expect(signal).toBeDefined());
    outbox.dropFile(id, stuck.key);
    await vi.waitFor(() => expect(signal!.aborted).toBe(true));
    await vi.waitFor(() => expect(outbox.entries).toHaveLength(0));
    expect(postsOf(server)).toMatchObject([{ id, content: ["caption"], attachments: [expect.any(String)] }]);
  });

  it("drops a message without words whose last file is taken out, and discarding one lets go of its files", async () => {
    upload.mockImplementation(() => Promise.reject(new ApiError("FORBIDDEN", "not here")));
    fakeServer({ [POST]: stored });
    const outbox = open();
    const only = picked("only.pdf");
    const id = outbox.send(SPACE, "", [only]);
    await vi.waitFor(() => expect(outbox.entries[0]?.status).toBe("failed"));
    outbox.dropFile(id, only.key);
    expect(outbox.entries).toEqual([]);

    const kept2 = picked("kept.pdf");
    const other = outbox.send(SPACE, "words", [kept2]);
    await vi.waitFor(() => expect(outbox.entries[0]?.status).toBe("failed"));
    outbox.discard(other);
    await vi.waitFor(() => expect(uploads[kept2.key]).toBeUndefined());
  });
});
