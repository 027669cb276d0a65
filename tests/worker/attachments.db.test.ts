// Attachments (issue 21) against Miniflare's R2: uploads, their limits, the type read from the bytes, who may
// read a file and how it is served, attaching files to a message, and the bytes following their rows out.
import { env, SELF } from "cloudflare:test";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Attachment } from "../../src/shared/attachments.ts";
import { attachmentKind, MAX_INLINE_PIXELS, PREVIEW_MAX_BYTES } from "../../src/shared/attachments.ts";
import { createDb } from "../../src/worker/db/client.ts";
import { collectGarbage, sweepAttachments } from "../../src/worker/files/store.ts";
import { checkBody, putBody } from "../../src/worker/files/upload.ts";
import { SNIFF_BYTES } from "../../src/shared/sniff.ts";
import { Client, cookieHeader, db, guest, ORIGIN, space } from "./client.ts";
import { png, upload } from "./files.ts";

// The limits the worker project runs with (vitest.config.ts).
const MAX_BYTES = 64 * 1024;
const DAILY_BYTES = 256 * 1024;
const SPACE_BYTES = 192 * 1024;

const encode = (text: string) => new TextEncoder().encode(text);
const u16le = (n: number) => [n & 255, (n >>> 8) & 255];

/** GETs (or PUTs bytes to) a path as `client`, keeping the body as bytes. */
async function raw(client: Client | null, path: string, init: { method?: string; headers?: Record<string, string>; body?: Uint8Array } = {}) {
  const response = await SELF.fetch(`${ORIGIN}${path}`, {
    method: init.method ?? "GET",
    headers: { Origin: ORIGIN, ...(client ? { Cookie: cookieHeader(client.jar) } : {}), ...init.headers },
    body: init.body,
  });
  return { status: response.status, headers: response.headers, bytes: new Uint8Array(await response.arrayBuffer()) };
}

const json = (bytes: Uint8Array) => JSON.parse(new TextDecoder().decode(bytes));

/** Uploads and expects success. */
async function uploaded(client: Client, spaceId: string, bytes: Uint8Array, name?: string): Promise<Attachment> {
  const reply = await upload(client, spaceId, bytes, name);
  expect(reply.status, JSON.stringify(reply.body)).toBe(201);
  return reply.body.attachment;
}

const rows = (id: string) => db<{ state: string; intention_id: string | null }>(sql`SELECT state, intention_id FROM attachments WHERE id = ${id}`);

/** Waits for something done after a response (waitUntil) to show. */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  for (let tries = 0; tries < 100; tries++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error("it never happened");
}

/**
 * `bytes` as a body arriving in chunks of `size`. It stalls before the chunk at `stallAt` until `resume` is called;
 * `reached` resolves when the reader got there.
 */
function chunked(bytes: Uint8Array, size: number, stallAt = Infinity) {
  let resume = () => {};
  let arrive = () => {};
  const stalled = new Promise<void>((resolve) => (resume = resolve));
  const reached = new Promise<void>((resolve) => (arrive = resolve));
  let at = 0;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (at >= stallAt) (arrive(), await stalled);
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, (at += size)));
    },
  });
  return { stream, resume, reached };
}

const filler = (length: number) => Uint8Array.from({ length }, (_, i) => (i * 31) % 251);

/** Sends `body`, of `length` bytes, as `client`. */
function send(client: Client, method: string, path: string, length: number, body: ReadableStream<Uint8Array>) {
  return SELF.fetch(`${ORIGIN}${path}`, {
    method, headers: { Origin: ORIGIN, Cookie: cookieHeader(client.jar), "Content-Length": String(length) }, body, duplex: "half",
  } as RequestInit);
}

describe("uploading a file", () => {
  it("stores it in R2 as its uploader's alone, typed and sized from its bytes", async () => {
    const ada = await guest("Ada");
    const room = await space(ada);
    const bytes = png(640, 480);
    const reply = await upload(ada, room.id, bytes, "cat.png");
    expect(reply.status).toBe(201);
    const attachment: Attachment = reply.body.attachment;
    expect(attachment).toEqual({ id: expect.stringMatching(/^f[0-9A-Z]{26}$/), name: "cat.png", type: "image/png", size: bytes.length, width: 640, height: 480 });
    expect(await rows(attachment.id)).toEqual([{ state: "ready", intention_id: null }]);
    const stored = await env.FILES.get(`a/${attachment.id}`);
    expect(new Uint8Array(await stored!.arrayBuffer())).toEqual(bytes);

    const mine = await raw(ada, `/api/attachments/${attachment.id}`);
    expect(mine.status).toBe(200);
    expect(mine.bytes).toEqual(bytes);
    const bob = await guest("Bob");
    expect((await raw(bob, `/api/attachments/${attachment.id}`)).status).toBe(404);
  });

  it("refuses a file without a length, an empty one and one over the limit, and writes nothing", async () => {
    const ada = await guest("Ada");
    const room = await space(ada);
    const empty = await upload(ada, room.id, new Uint8Array(0));
    expect(empty.status).toBe(400);
    expect(empty.body.error).toMatchObject({ code: "VALIDATION", message: "the file is empty" });
    const large = await upload(ada, room.id, new Uint8Array(MAX_BYTES + 1));
    expect(large.status).toBe(413);
    expect(large.body.error).toMatchObject({ code: "PAYLOAD_TOO_LARGE", details: { limit: MAX_BYTES } });
    const stream = new ReadableStream({ start: (controller) => (controller.enqueue(png(1, 1)), controller.close()) });
    const unsized = await SELF.fetch(`${ORIGIN}/api/spaces/${room.id}/attachments`, {
      method: "POST", headers: { Origin: ORIGIN, Cookie: cookieHeader(ada.jar) }, body: stream, duplex: "half",
    } as RequestInit);
    expect(unsized.status).toBe(400);
    expect(await db(sql`SELECT 1 FROM attachments WHERE owner_id = ${ada.id}`)).toEqual([]);
  });

  it("leaves nothing of an upload cut short", async () => {
    const ada = await guest("Ada");
    const room = await space(ada);
    const send = (body: BodyInit) =>
      SELF.fetch(`${ORIGIN}/api/spaces/${room.id}/attachments`, {
        method: "POST", headers: { Origin: ORIGIN, Cookie: cookieHeader(ada.jar), "Content-Length": "1000" }, body, duplex: "half",
      } as RequestInit);
    const short = await send(new Uint8Array(10));
    expect(short.status).toBe(400);
    expect((await short.json<any>()).error.message).toMatch(/cut short/);
    const ended = new ReadableStream({ start: (controller) => (controller.enqueue(png(10, 10)), controller.close()) });
    expect((await send(ended)).status).toBe(400);
    expect(await db(sql`SELECT 1 FROM attachments WHERE owner_id = ${ada.id}`)).toEqual([]);
    expect(await db(sql`SELECT 1 FROM attachment_usage WHERE being_id = ${ada.id}`)).toHaveLength(1);
  });

  it("needs a session, a space the caller may read, and the app's own origin", async () => {
    const ada = await guest("Ada");
    const hidden = await space(ada, { private: true });
    const bob = await guest("Bob");
    expect((await upload(bob, hidden.id, png(1, 1))).status).toBe(404);
    expect((await upload(bob, "@no-such-space", png(1, 1))).status).toBe(404);
    expect((await upload(new Client(), hidden.id, png(1, 1))).status).toBe(401);
    expect((await upload(ada, hidden.id, png(1, 1), "x", { Origin: "https://evil.example" })).status).toBe(403);
    expect(await db(sql`SELECT 1 FROM attachments WHERE space_id = ${hidden.id}`)).toEqual([]);
  });

  it("cleans the name: no path, no control or bidi characters, at most 200 characters", async () => {
    const ada = await guest("Ada");
    const room = await space(ada);
    expect((await uploaded(ada, room.id, png(1, 1), "../../etc/passwd")).name).toBe("passwd");
    expect((await uploaded(ada, room.id, png(1, 1), "C:\\Users\\ada\\photo.png")).name).toBe("photo.png");
    expect((await uploaded(ada, room.id, png(1, 1), " in\u0000voice\u202Efdp.exe\r\n")).name).toBe("invoicefdp.exe");
    expect((await uploaded(ada, room.id, png(1, 1), "dir/")).name).toBe("file");
    expect((await uploaded(ada, room.id, png(1, 1), "é".repeat(300))).name).toBe("é".repeat(200));
    const named = await uploaded(ada, room.id, encode("plain"), 'quote"and ünïcode.txt');
    const served = await raw(ada, `/api/attachments/${named.id}`);
    expect(served.headers.get("Content-Disposition")).toBe(
      `attachment; filename="quote_and _n_code.txt"; filename*=UTF-8''quote%22and%20%C3%BCn%C3%AFcode.txt`,
    );
  });
});

describe("streaming an upload into R2", () => {

  it("reads only the head before answering what the file is, then passes on every byte of a file larger than the head", async () => {
    const bytes = new Uint8Array([...png(7, 9), ...filler(SNIFF_BYTES + 100_000)]);
    const body = chunked(bytes, 16 * 1024, SNIFF_BYTES);
    // The rest has not arrived yet: the head is read without waiting for the whole file.
    const checked = await checkBody(body.stream, bytes.length);
    expect(checked.head.length).toBe(SNIFF_BYTES);
    body.resume();
    await putBody(env.FILES, "test/large", checked);
    const stored = await env.FILES.get("test/large");
    expect(new Uint8Array(await stored!.arrayBuffer())).toEqual(bytes);
  });

  it("refuses a body past its length or short of it, and stores nothing", async () => {
    const bytes = filler(SNIFF_BYTES + 10);
    const longer = await checkBody(chunked(bytes, 4096).stream, bytes.length - 1);
    await expect(putBody(env.FILES, "test/longer", longer)).rejects.toThrow(/longer than its Content-Length/);
    const shorter = await checkBody(chunked(bytes, 4096).stream, bytes.length + 1);
    await expect(putBody(env.FILES, "test/shorter", shorter)).rejects.toThrow(/cut short/);
    await expect(checkBody(chunked(bytes.subarray(0, 10), 4).stream, 20)).rejects.toThrow(/cut short/);
    expect(await env.FILES.head("test/longer")).toBeNull();
    expect(await env.FILES.head("test/shorter")).toBeNull();
  });

  it("serves back the bytes of an upload that arrived in many chunks, typed from its head", async () => {
    const ada = await guest("Ada");
    const room = await space(ada);
    const bytes = new Uint8Array([...png(30, 20), ...filler(MAX_BYTES - 200)]);
    const response = await send(ada, "POST", `/api/spaces/${room.id}/attachments?name=big.png`, bytes.length, chunked(bytes, 1000).stream);
    expect(response.status).toBe(201);
    const { attachment } = await response.json<{ attachment: Attachment }>();
    expect(attachment).toMatchObject({ type: "image/png", size: bytes.length, width: 30, height: 20 });
    const served = await raw(ada, `/api/attachments/${attachment.id}`);
    expect(served.headers.get("Content-Type")).toBe("image/png");
    expect(served.bytes).toEqual(bytes);
  });
});

describe("a file's type comes from its bytes, and what could run script is only a download", () => {
  it("serves HTML named .png as a download of octet-stream", async () => {
    const ada = await guest("Ada");
    const room = await space(ada);
    const disguised = await uploaded(ada, room.id, encode("<!doctype html><script>alert(document.cookie)</script>"), "cute.png");
    expect(disguised.type).toBe("application/octet-stream");
    expect(disguised.width).toBeUndefined();
    const served = await raw(ada, `/api/attachments/${disguised.id}`);
    expect(served.headers.get("Content-Type")).toBe("application/octet-stream");
    expect(served.headers.get("Content-Disposition")).toMatch(/^attachment; filename="cute.png"/);
    expect(served.headers.get("X-Content-Type-Options")).toBe("nosniff");
  });

  it("serves an SVG with a script as a download, nosniff, under a sandboxing CSP", async () => {
    const ada = await guest("Ada");
    const room = await space(ada);
    const svg = await uploaded(ada, room.id, encode('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), "logo.svg");
    expect(svg.type).toBe("application/octet-stream");
    const served = await raw(ada, `/api/attachments/${svg.id}`);
    expect(served.headers.get("Content-Disposition")).toMatch(/^attachment;/);
    expect(served.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(served.headers.get("Content-Security-Policy")).toBe("default-src 'none'; img-src 'self'; media-src 'self'; sandbox");
  });

  it("serves a GIF that is also HTML as a GIF, nosniff and sandboxed", async () => {
    const ada = await guest("Ada");
    const room = await space(ada);
    const polyglot = new Uint8Array([...encode("GIF89a"), ...u16le(32), ...u16le(16), ...encode("<html><script>alert(1)</script></html>")]);
    const gif = await uploaded(ada, room.id, polyglot, "funny.html");
    expect(gif).toMatchObject({ type: "image/gif", width: 32, height: 16 });
    const served = await raw(ada, `/api/attachments/${gif.id}`);
    expect(served.headers.get("Content-Type")).toBe("image/gif");
    expect(served.headers.get("Content-Disposition")).toBe("inline");
    expect(served.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(served.headers.get("Content-Security-Policy")).toContain("sandbox");
  });
});

describe("an image too large to show in place", () => {
  it("is a download unless it has a preview; so is an image whose bytes did not tell its size", () => {
    const image = { type: "image/png", width: 30_000, height: 30_000 };
    expect(attachmentKind(image)).toBe("file");
    expect(attachmentKind({ ...image, preview: { width: 1280, height: 1280 } })).toBe("image");
    expect(attachmentKind({ type: "image/png", width: MAX_INLINE_PIXELS / 5000, height: 5000 })).toBe("image");
    expect(attachmentKind({ type: "image/jpeg" })).toBe("file");
    expect(attachmentKind({ type: "video/mp4" })).toBe("video");
  });

  it("is served as a download until its preview is added", async () => {
    const ada = await guest("Ada");
    const room = await space(ada);
    const huge = await uploaded(ada, room.id, png(30_000, 30_000), "huge.png");
    const disposition = async () => (await raw(ada, `/api/attachments/${huge.id}`)).headers.get("Content-Disposition");
    expect(await disposition()).toMatch(/^attachment; filename="huge.png"/);
    expect((await raw(ada, `/api/attachments/${huge.id}/preview`, { method: "PUT", body: png(1280, 1280) })).status).toBe(200);
    expect(await disposition()).toBe("inline");
  });
});

describe("serving a file", () => {
  it("sends the headers that keep it private and inert, one byte range, and 304 for what the browser has", async () => {
    const ada = await guest("Ada");
    const room = await space(ada);
    const bytes = png(8, 8, 1000);
    const file = await uploaded(ada, room.id, bytes);
    const whole = await raw(ada, `/api/attachments/${file.id}`);
    expect(Object.fromEntries([...whole.headers].filter(([name]) => !["date", "strict-transport-security", "referrer-policy", "permissions-policy", "x-frame-options"].includes(name)))).toEqual({
      "accept-ranges": "bytes",
      "cache-control": "private, max-age=31536000, immutable",
      "content-disposition": "inline",
      "content-length": String(bytes.length),
      "content-security-policy": "default-src 'none'; img-src 'self'; media-src 'self'; sandbox",
      "content-type": "image/png",
      "cross-origin-resource-policy": "same-origin",
      etag: expect.stringMatching(/^".+"$/),
      "x-content-type-options": "nosniff",
    });
    const download = await raw(ada, `/api/attachments/${file.id}?download=1`);
    expect(download.headers.get("Content-Disposition")).toBe(`attachment; filename="file.bin"; filename*=UTF-8''file.bin`);

    const part = await raw(ada, `/api/attachments/${file.id}`, { headers: { Range: "bytes=8-15" } });
    expect(part.status).toBe(206);
    expect(part.headers.get("Content-Range")).toBe(`bytes 8-15/${bytes.length}`);
    expect(part.bytes).toEqual(bytes.subarray(8, 16));
    const tail = await raw(ada, `/api/attachments/${file.id}`, { headers: { Range: "bytes=-4" } });
    expect(tail.bytes).toEqual(bytes.subarray(bytes.length - 4));
    const past = await raw(ada, `/api/attachments/${file.id}`, { headers: { Range: `bytes=${bytes.length}-` } });
    expect(past.status).toBe(416);

    const kept = await raw(ada, `/api/attachments/${file.id}`, { headers: { "If-None-Match": whole.headers.get("ETag")! } });
    expect(kept.status).toBe(304);
    expect(kept.bytes.length).toBe(0);
  });

  it("answers 404 alike for an unknown id, someone else's upload and a private space's file to a non-member", async () => {
    const ada = await guest("Ada");
    const bob = await guest("Bob");
    const cy = await guest("Cy");
    const hidden = await space(ada, { private: true, members: [bob.id] });
    const file = await uploaded(ada, hidden.id, png(2, 2));
    const post = await ada.request("POST", `/api/spaces/${hidden.id}/intentions`, { content: "", attachments: [file.id] });
    expect(post.status).toBe(201);
    expect((await raw(bob, `/api/attachments/${file.id}`)).status).toBe(200);
    const refused = await raw(cy, `/api/attachments/${file.id}`);
    expect(refused.status).toBe(404);
    const unknown = await raw(cy, `/api/attachments/f${"0".repeat(26)}`);
    expect(unknown.status).toBe(404);
    expect(json(refused.bytes)).toEqual(json(unknown.bytes));
    expect((await raw(null, `/api/attachments/${file.id}`)).status).toBe(401);
    expect((await raw(bob, `/api/attachments/not-an-id`)).status).toBe(400);
    expect((await raw(bob, `/api/attachments/${file.id}/preview`)).status).toBe(404);
  });
});

describe("a preview", () => {
  it("is a small JPEG, PNG or WebP its uploader adds while the file is unattached", async () => {
    const ada = await guest("Ada");
    const room = await space(ada);
    const file = await uploaded(ada, room.id, png(4000, 3000));
    const put = (client: Client, bytes: Uint8Array) => raw(client, `/api/attachments/${file.id}/preview`, { method: "PUT", body: bytes });
    const previewBytes = png(1280, 960);
    const added = await put(ada, previewBytes);
    expect(added.status).toBe(200);
    expect(json(added.bytes).attachment).toEqual({ ...file, preview: { width: 1280, height: 960 } });
    const served = await raw(ada, `/api/attachments/${file.id}/preview`);
    expect(served.headers.get("Content-Type")).toBe("image/png");
    expect(served.bytes).toEqual(previewBytes);

    expect((await put(ada, png(1281, 10))).status).toBe(400);
    expect((await put(ada, encode("<svg/>"))).status).toBe(400);
    expect((await put(ada, new Uint8Array(PREVIEW_MAX_BYTES + 1))).status).toBe(413);
    expect((await put(await guest("Bob"), png(10, 10))).status).toBe(404);
    const post = await ada.request("POST", `/api/spaces/${room.id}/intentions`, { content: "a cat", attachments: [file.id] });
    expect(post.body.intention.attachments).toEqual([{ ...file, preview: { width: 1280, height: 960 } }]);
    expect((await put(ada, png(10, 10))).status).toBe(404);
  });
  it("is only for an image larger than it", async () => {
    const ada = await guest("Ada");
    const room = await space(ada);
    const put = (id: string, bytes: Uint8Array) => raw(ada, `/api/attachments/${id}/preview`, { method: "PUT", body: bytes });
    const document = await uploaded(ada, room.id, encode("%PDF-1.7 a paper"), "paper.pdf");
    const small = await uploaded(ada, room.id, png(640, 480));
    for (const [file, preview] of [[document, png(100, 100)], [small, png(640, 10)], [small, png(800, 600)]] as const) {
      const refused = await put(file.id, preview);
      expect(refused.status).toBe(400);
      expect(json(refused.bytes).error).toMatchObject({ code: "VALIDATION", message: "a preview is only for an image larger than it" });
    }
    expect((await put(small.id, png(320, 240))).status).toBe(200);
    expect(await db(sql`SELECT preview_size FROM attachments WHERE id = ${document.id}`)).toEqual([{ preview_size: null }]);
  });

  it("counts in the uploader's bytes a day and the space's total", async () => {
    const ada = await guest("Ada");
    const rooms = [await space(ada), await space(ada)];
    const chunk = new Uint8Array(60 * 1024);
    const image = await uploaded(ada, rooms[0]!.id, png(4000, 3000));
    // The space's total: three uploads and the preview's bytes would pass it.
    for (let i = 0; i < 3; i++) await uploaded(ada, rooms[0]!.id, chunk);
    const preview = png(1280, 960, 16 * 1024);
    const full = await raw(ada, `/api/attachments/${image.id}/preview`, { method: "PUT", body: preview });
    expect(full.status).toBe(413);
    expect(json(full.bytes).error).toMatchObject({ code: "PAYLOAD_TOO_LARGE", details: { limit: SPACE_BYTES, scope: "space" } });
    // The day: in a space with room, an upload leaves less of Ada's day than the preview's bytes.
    const elsewhere = await uploaded(ada, rooms[1]!.id, png(4000, 3000));
    await uploaded(ada, rooms[1]!.id, new Uint8Array(MAX_BYTES));
    const late = await raw(ada, `/api/attachments/${elsewhere.id}/preview`, { method: "PUT", body: preview });
    expect(late.status).toBe(429);
    expect(json(late.bytes).error).toMatchObject({ code: "RATE_LIMITED", details: { limit: DAILY_BYTES } });
    for (const file of [image, elsewhere]) expect((await raw(ada, `/api/attachments/${file.id}/preview`)).status).toBe(404);
  });

  it("is counted in the space's total once stored", async () => {
    const ada = await guest("Ada");
    const room = await space(ada);
    const image = await uploaded(ada, room.id, png(4000, 3000));
    const preview = png(1280, 960, 100 * 1024);
    expect((await raw(ada, `/api/attachments/${image.id}/preview`, { method: "PUT", body: preview })).status).toBe(200);
    const chunk = new Uint8Array(60 * 1024);
    await uploaded(ada, room.id, chunk);
    // Without the preview's bytes, this would fit.
    const refused = await upload(ada, room.id, chunk);
    expect(refused.status).toBe(413);
    expect(refused.body.error).toMatchObject({ details: { scope: "space" } });
  });
});

describe("attaching files to a message", () => {
  it("carries them in the order given, with the caption as text, in the answer, the change, history and snapshot", async () => {
    const ada = await guest("Ada");
    const room = await space(ada);
    const first = await uploaded(ada, room.id, png(10, 20), "one.png");
    const second = await uploaded(ada, room.id, encode("%PDF-1.7 …"), "two.pdf");
    const reply = await ada.request("POST", `/api/spaces/${room.id}/intentions`, { content: [], attachments: [second.id, first.id] });
    expect(reply.status).toBe(201);
    const { intention } = reply.body;
    expect(intention.content).toEqual([]);
    expect(intention.attachments).toEqual([second, first]);
    expect(second.type).toBe("application/pdf");
    const changes = (await ada.request("GET", `/api/spaces/${room.id}/changes?after=0`)).body.changes;
    expect(changes.find((change: any) => change.id === intention.id).data.attachments).toEqual([second, first]);
    const history = await ada.request("GET", `/api/spaces/${room.id}/intentions`);
    expect(history.body.intentions.find((i: any) => i.id === intention.id).attachments).toEqual([second, first]);
    const snapshot = await ada.request("GET", `/api/spaces/${room.id}`);
    expect(snapshot.body.intentions.find((i: any) => i.id === intention.id).attachments).toEqual([second, first]);
    expect((await rows(first.id))[0]!.intention_id).toBe(intention.id);
    // A repeat of the same id answers the message as it is.
    const repeat = await ada.request("POST", `/api/spaces/${room.id}/intentions`, { id: intention.id, content: [], attachments: [second.id, first.id] });
    expect(repeat.status).toBe(200);
    expect(repeat.body.intention.attachments).toEqual([second, first]);
    // A message without files has no field.
    const plain = await ada.request("POST", `/api/spaces/${room.id}/intentions`, { content: "plain" });
    expect(plain.body.intention).not.toHaveProperty("attachments");
  });

  it("refuses another's upload, another space's, one already attached, and empty content without files; writes nothing", async () => {
    const ada = await guest("Ada");
    const bob = await guest("Bob");
    const room = await space(ada);
    const elsewhere = await space(ada);
    const bobs = await uploaded(bob, room.id, png(1, 1));
    const away = await uploaded(ada, elsewhere.id, png(1, 1));
    const used = await uploaded(ada, room.id, png(1, 1));
    expect((await ada.request("POST", `/api/spaces/${room.id}/intentions`, { content: "x", attachments: [used.id] })).status).toBe(201);
    const mine = await uploaded(ada, room.id, png(1, 1));
    for (const attachments of [[bobs.id], [away.id], [used.id], [mine.id, bobs.id], [`f${"0".repeat(26)}`], [mine.id, mine.id], []]) {
      const reply = await ada.request("POST", `/api/spaces/${room.id}/intentions`, { content: "x", attachments });
      expect(reply.status, JSON.stringify(attachments)).toBe(400);
      expect(reply.body.error.code).toBe("VALIDATION");
    }
    expect((await ada.request("POST", `/api/spaces/${room.id}/intentions`, { content: "" })).status).toBe(400);
    expect((await ada.request("POST", `/api/spaces/${room.id}/intentions`, { content: "x", attachments: Array.from({ length: 11 }, () => mine.id) })).status).toBe(400);
    expect(await rows(mine.id)).toEqual([{ state: "ready", intention_id: null }]);
    expect(await rows(bobs.id)).toEqual([{ state: "ready", intention_id: null }]);
    expect(await db(sql`SELECT 1 FROM intentions WHERE location_id = ${room.id}`)).toHaveLength(1);
  });

  it("names the uploads it cannot use, so a page can upload again one the sweeper deleted", async () => {
    const ada = await guest("Ada");
    const bob = await guest("Bob");
    const room = await space(ada);
    const [swept, kept] = [await uploaded(ada, room.id, png(1, 1)), await uploaded(ada, room.id, png(1, 1))];
    const bobs = await uploaded(bob, room.id, png(1, 1));
    await db(sql`UPDATE attachments SET created_at = now() - interval '25 hours' WHERE id = ${swept.id}`);
    await sweepAttachments(env);
    const reply = await ada.request("POST", `/api/spaces/${room.id}/intentions`, { content: "late", attachments: [bobs.id, kept.id, swept.id] });
    expect(reply.status).toBe(400);
    expect(reply.body.error).toMatchObject({ code: "VALIDATION", details: { attachments: [bobs.id, swept.id] } });
    const again = await uploaded(ada, room.id, png(1, 1));
    expect((await ada.request("POST", `/api/spaces/${room.id}/intentions`, { content: "late", attachments: [kept.id, again.id] })).status).toBe(201);
  });

  it("lets only one of two messages at once take the same upload", async () => {
    const ada = await guest("Ada");
    const room = await space(ada);
    const file = await uploaded(ada, room.id, png(1, 1));
    const replies = await Promise.all([1, 2].map(() => ada.request("POST", `/api/spaces/${room.id}/intentions`, { content: "race", attachments: [file.id] })));
    expect(replies.map((reply) => reply.status).sort()).toEqual([201, 400]);
  });
});

describe("the limits", () => {
  it("stops a being at its bytes a day with 429 and Retry-After", async () => {
    const ada = await guest("Ada");
    const rooms = [await space(ada), await space(ada)];
    const chunk = new Uint8Array(60 * 1024);
    // Across spaces: the day is the being's (each space stays within its own limit).
    for (let i = 0; i < Math.floor(DAILY_BYTES / chunk.length); i++) await uploaded(ada, rooms[i % 2]!.id, chunk);
    const refused = await upload(ada, rooms[0]!.id, chunk);
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ code: "RATE_LIMITED", details: { limit: DAILY_BYTES } });
    const retryAfter = Number(refused.headers.get("Retry-After"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(86_400);
  });

  it("stops a space at its total with 413, counting uploads in flight: of uploads at once, exactly those that fit pass", async () => {
    const ada = await guest("Ada");
    const room = await space(ada);
    const people = await Promise.all(Array.from({ length: 6 }, (_, i) => guest(`P${i}`)));
    const chunk = new Uint8Array(60 * 1024);
    const replies = await Promise.all(people.map((person) => upload(person, room.id, chunk)));
    const fits = Math.floor(SPACE_BYTES / chunk.length);
    expect(replies.filter((reply) => reply.status === 201)).toHaveLength(fits);
    const refused = replies.filter((reply) => reply.status === 413);
    expect(refused).toHaveLength(people.length - fits);
    expect(refused[0]!.body.error).toMatchObject({ code: "PAYLOAD_TOO_LARGE", details: { limit: SPACE_BYTES, scope: "space" } });
    const [total] = await db<{ bytes: string }>(sql`SELECT sum(size) AS bytes FROM attachments WHERE space_id = ${room.id}`);
    expect(Number(total!.bytes)).toBe(fits * chunk.length);
  });
});

describe("deleting", () => {
  it("a message deletes its files' rows and, right after, their objects", async () => {
    const ada = await guest("Ada");
    const room = await space(ada);
    const file = await uploaded(ada, room.id, png(3000, 2000));
    await raw(ada, `/api/attachments/${file.id}/preview`, { method: "PUT", body: png(1280, 853) });
    const post = await ada.request("POST", `/api/spaces/${room.id}/intentions`, { content: "bye", attachments: [file.id] });
    expect((await env.FILES.head(`a/${file.id}/preview`)) !== null).toBe(true);
    expect((await ada.request("DELETE", `/api/intentions/${encodeURIComponent(post.body.intention.id)}`)).status).toBe(204);
    expect(await rows(file.id)).toEqual([]);
    await eventually(async () => (await env.FILES.head(`a/${file.id}`)) === null && (await env.FILES.head(`a/${file.id}/preview`)) === null);
    await eventually(async () => (await db(sql`SELECT 1 FROM attachment_garbage WHERE attachment_id = ${file.id}`)).length === 0);
    expect((await raw(ada, `/api/attachments/${file.id}`)).status).toBe(404);
  });

  it("a space deletes its files; what no request collected, the cron does", async () => {
    const ada = await guest("Ada");
    const room = await space(ada);
    const file = await uploaded(ada, room.id, png(1, 1));
    await ada.request("POST", `/api/spaces/${room.id}/intentions`, { content: "x", attachments: [file.id] });
    expect((await ada.request("DELETE", `/api/beings/${room.id}`)).status).toBe(204);
    expect(await rows(file.id)).toEqual([]);
    expect(await db(sql`SELECT 1 FROM attachment_garbage WHERE attachment_id = ${file.id}`)).toHaveLength(1);
    await sweepAttachments(env);
    expect(await env.FILES.head(`a/${file.id}`)).toBeNull();
    expect(await db(sql`SELECT 1 FROM attachment_garbage WHERE attachment_id = ${file.id}`)).toEqual([]);
  });

  it("an upload whose space is deleted while its bytes arrive leaves no object behind", async () => {
    const ada = await guest("Ada");
    const room = await space(ada);
    const bytes = png(5, 5, 4000);
    const body = chunked(bytes, 1000, 2000);
    const reply = send(ada, "POST", `/api/spaces/${room.id}/attachments`, bytes.length, body.stream);
    await body.reached;
    const [reserved] = await db<{ id: string }>(sql`SELECT id FROM attachments WHERE owner_id = ${ada.id}`);
    expect((await ada.request("DELETE", `/api/beings/${room.id}`)).status).toBe(204);
    await collectGarbage(createDb(env), env.FILES);
    body.resume();
    expect((await reply).status).toBe(404);
    expect(await env.FILES.head(`a/${reserved!.id}`)).toBeNull();
  });

  it("a preview whose file is deleted while its bytes arrive leaves no object behind", async () => {
    const ada = await guest("Ada");
    const room = await space(ada);
    const file = await uploaded(ada, room.id, png(3000, 2000));
    const bytes = png(1200, 800, 4000);
    // It stalls at its end: its row reserved, its bytes going into R2.
    const body = chunked(bytes, 1000, bytes.length);
    const reply = send(ada, "PUT", `/api/attachments/${file.id}/preview`, bytes.length, body.stream);
    await body.reached;
    expect((await ada.request("DELETE", `/api/beings/${room.id}`)).status).toBe(204);
    await collectGarbage(createDb(env), env.FILES);
    body.resume();
    expect((await reply).status).toBe(404);
    expect(await env.FILES.head(`a/${file.id}/preview`)).toBeNull();
  });

  it("uploads never attached go after a day; younger ones and attached ones stay", async () => {
    const ada = await guest("Ada");
    const room = await space(ada);
    const [old, young, attached] = [await uploaded(ada, room.id, png(1, 1)), await uploaded(ada, room.id, png(1, 1)), await uploaded(ada, room.id, png(1, 1))];
    await ada.request("POST", `/api/spaces/${room.id}/intentions`, { content: "x", attachments: [attached.id] });
    await db(sql`UPDATE attachments SET created_at = now() - interval '25 hours' WHERE id IN (${old.id}, ${attached.id})`);
    await sweepAttachments(env);
    expect(await rows(old.id)).toEqual([]);
    expect(await env.FILES.head(`a/${old.id}`)).toBeNull();
    expect(await rows(young.id)).toHaveLength(1);
    expect(await rows(attached.id)).toHaveLength(1);
    expect(await env.FILES.head(`a/${young.id}`)).not.toBeNull();
    // Collecting again finds nothing left of these.
    await collectGarbage(createDb(env), env.FILES);
    expect(await env.FILES.head(`a/${attached.id}`)).not.toBeNull();
  });
});
