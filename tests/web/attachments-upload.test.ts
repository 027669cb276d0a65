import { afterEach, describe, expect, it, vi } from "vitest";
import { PREVIEW_MAX_BYTES, type AttachmentId } from "../../src/shared/attachments.ts";
import { ApiError } from "../../src/shared/errors.ts";
import { isRetryable, OfflineError } from "../../src/web/api.ts";
import { prepare } from "../../src/web/attach/reencode.ts";
import { putPreview, uploadFile } from "../../src/web/attach/upload-request.ts";

const ID = "f01ARZ3NDEKTSV4RRFFQ69G5FAV" as AttachmentId;

/** A stand-in for XMLHttpRequest that the test answers. */
class FakeRequest {
  static sent: FakeRequest[] = [];
  method = "";
  url = "";
  body: unknown;
  status = 0;
  statusText = "";
  responseText = "";
  headers: Record<string, string> = {};
  upload: { onprogress: ((event: { lengthComputable: boolean; loaded: number; total: number }) => void) | null } = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;
  open(method: string, url: string) {
    this.method = method;
    this.url = url;
  }
  send(body: unknown) {
    this.body = body;
    FakeRequest.sent.push(this);
  }
  getResponseHeader(name: string) {
    return this.headers[name] ?? null;
  }
  abort() {
    this.onabort?.();
  }
  answer(status: number, body: unknown, headers: Record<string, string> = {}) {
    Object.assign(this, { status, responseText: JSON.stringify(body), headers });
    this.onload?.();
  }
}
const lastRequest = () => FakeRequest.sent.at(-1)!;

afterEach(() => {
  FakeRequest.sent = [];
  vi.unstubAllGlobals();
});

describe("the upload request", () => {
  it("posts the raw bytes under the file's name, reports progress, and answers the attachment", async () => {
    vi.stubGlobal("XMLHttpRequest", FakeRequest);
    const body = new Blob(["bytes"]);
    const progress: number[] = [];
    const done = uploadFile("@s", "my photo #1.jpg", body, { onProgress: (fraction) => progress.push(fraction) });
    expect(lastRequest()).toMatchObject({ method: "POST", url: "/api/spaces/%40s/attachments?name=my%20photo%20%231.jpg", body });
    lastRequest().upload.onprogress!({ lengthComputable: true, loaded: 25, total: 100 });
    lastRequest().upload.onprogress!({ lengthComputable: false, loaded: 50, total: 0 });
    expect(progress).toEqual([0.25]);
    const attachment = { id: ID, name: "my photo #1.jpg", type: "image/jpeg", size: 5 };
    lastRequest().answer(201, { attachment });
    expect(await done).toEqual(attachment);
  });

  it("reads refusals as every request's: the contract's error, its Retry-After, and no network as offline", async () => {
    vi.stubGlobal("XMLHttpRequest", FakeRequest);
    const tooLarge = uploadFile("@s", "big.bin", new Blob(["x"]));
    lastRequest().answer(413, { error: { code: "PAYLOAD_TOO_LARGE", message: "the file is larger than 25 MiB", details: { limit: 26214400 } } });
    await expect(tooLarge).rejects.toMatchObject({ code: "PAYLOAD_TOO_LARGE", message: "the file is larger than 25 MiB", details: { limit: 26214400 } });

    const daily = uploadFile("@s", "more.bin", new Blob(["x"]));
    lastRequest().answer(429, { error: { code: "RATE_LIMITED", message: "too many bytes today" } }, { "Retry-After": "30" });
    const refusal = await daily.catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(ApiError);
    expect(refusal).toMatchObject({ retryAfter: 30 });
    expect(isRetryable(refusal)).toBe(true);

    const offline = uploadFile("@s", "a.bin", new Blob(["x"]));
    lastRequest().onerror!();
    await expect(offline).rejects.toBeInstanceOf(OfflineError);
  });

  it("stops when its signal aborts", async () => {
    vi.stubGlobal("XMLHttpRequest", FakeRequest);
    const controller = new AbortController();
    const upload = uploadFile("@s", "a.bin", new Blob(["x"]), { signal: controller.signal });
    controller.abort();
    await expect(upload).rejects.toBeDefined();
  });

  it("puts a preview to its attachment", async () => {
    vi.stubGlobal("XMLHttpRequest", FakeRequest);
    const preview = new Blob(["small"], { type: "image/webp" });
    const done = putPreview(ID, preview);
    expect(lastRequest()).toMatchObject({ method: "PUT", url: `/api/attachments/${ID}/preview`, body: preview });
    lastRequest().answer(200, { attachment: { id: ID, name: "a.jpg", type: "image/jpeg", size: 9, preview: { width: 1280, height: 960 } } });
    expect((await done).preview).toEqual({ width: 1280, height: 960 });
  });
});

describe("re-encoding before upload", () => {
  /** The first bytes of each photo format (what the page reads to know one), then whatever follows. */
  const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0]);
  const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const WEBP = new TextEncoder().encode("RIFF\0\0\0\0WEBPVP8 ");

  /** A canvas that records what it drew and encodes `size` bytes of the asked type (or PNG, for types `unwritable`). */
  function fakeCanvas(size: (type: string, quality: number) => number, unwritable: string[] = [], bitmap = { width: 4000, height: 3000 }) {
    const encoded: { width: number; height: number; type: string; quality: number }[] = [];
    vi.stubGlobal("createImageBitmap", async () => ({ ...bitmap, close: () => undefined }));
    vi.stubGlobal(
      "OffscreenCanvas",
      class {
        constructor(
          readonly width: number,
          readonly height: number,
        ) {}
        getContext() {
          return { drawImage: () => undefined };
        }
        async convertToBlob({ type, quality }: { type: string; quality: number }) {
          const written = unwritable.includes(type) ? "image/png" : type;
          encoded.push({ width: this.width, height: this.height, type: written, quality });
          return new Blob([new Uint8Array(size(written, quality))], { type: written });
        }
      },
    );
    return encoded;
  }

  it("writes a photo anew in its own type, and adds a preview within the limits when it is larger than a screen needs", async () => {
    const encoded = fakeCanvas(() => 1000);
    const photo = new File([JPEG, "exif and pixels"], "p.jpg", { type: "image/jpeg" });
    const prepared = await prepare(photo);
    expect(prepared.body).not.toBe(photo);
    expect(prepared.body.type).toBe("image/jpeg");
    expect(prepared.preview?.type).toBe("image/webp");
    expect(encoded).toEqual([
      { width: 4000, height: 3000, type: "image/jpeg", quality: 0.9 },
      { width: 1280, height: 960, type: "image/webp", quality: 0.8 },
    ]);
  });

  it("makes the preview a JPEG where WebP cannot be written, at a lower quality until it fits, or makes none", async () => {
    const encoded = fakeCanvas((_type, quality) => (quality > 0.6 ? PREVIEW_MAX_BYTES + 1 : 500), ["image/webp"]);
    const prepared = await prepare(new File([PNG, "png"], "p.png", { type: "image/png" }));
    expect(prepared.body.type).toBe("image/png");
    expect(prepared.preview?.type).toBe("image/jpeg");
    expect(encoded.at(-1)).toMatchObject({ type: "image/jpeg", quality: 0.6 });

    fakeCanvas(() => PREVIEW_MAX_BYTES + 1);
    expect((await prepare(new File([WEBP, "webp"], "p.webp", { type: "image/webp" }))).preview).toBeUndefined();
  });

  it("gives a heavy picture that fits a screen a preview the size it is shown at; a light one, or one shown whole, none", async () => {
    const heavy = fakeCanvas((type) => (type === "image/png" ? 200 * 1024 : 20 * 1024), [], { width: 640, height: 480 });
    expect((await prepare(new File([PNG], "shot.png", { type: "image/png" }))).preview?.type).toBe("image/webp");
    expect(heavy).toEqual([
      { width: 640, height: 480, type: "image/png", quality: 0.9 },
      { width: 480, height: 360, type: "image/webp", quality: 0.8 },
    ]);

    fakeCanvas(() => 100 * 1024, [], { width: 640, height: 480 });
    expect((await prepare(new File([PNG], "light.png", { type: "image/png" }))).preview).toBeUndefined();
    fakeCanvas(() => 200 * 1024, [], { width: 400, height: 300 });
    expect((await prepare(new File([PNG], "small.png", { type: "image/png" }))).preview).toBeUndefined();
  });

  it("knows a photo by its bytes, whatever its name and type say", async () => {
    const encoded = fakeCanvas(() => 1000);
    const prepared = await prepare(new File([JPEG, "exif and pixels"], "photo.bin", { type: "" }));
    expect(prepared.body.type).toBe("image/jpeg");
    expect(encoded[0]).toEqual({ width: 4000, height: 3000, type: "image/jpeg", quality: 0.9 });

    const html = new File(["<html>"], "fake.jpg", { type: "image/jpeg" });
    expect(await prepare(html)).toEqual({ body: html });
    expect(encoded).toHaveLength(2);
  });

  it("sends a GIF, and anything that is not a photo, as it is", async () => {
    const encoded = fakeCanvas(() => 1);
    const gif = new File(["GIF89a"], "a.gif", { type: "image/gif" });
    const pdf = new File(["%PDF"], "a.pdf", { type: "application/pdf" });
    expect(await prepare(gif)).toEqual({ body: gif });
    expect(await prepare(pdf)).toEqual({ body: pdf });
    expect(encoded).toEqual([]);
  });
});
