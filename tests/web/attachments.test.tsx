import "@testing-library/jest-dom/vitest";
import { cleanup, fireEvent, render, screen, within } from "@solidjs/testing-library";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Attachment, AttachmentId } from "../../src/shared/attachments.ts";
import type { ContentNode } from "../../src/shared/entities.ts";
import { ApiError } from "../../src/shared/errors.ts";
import { OfflineError } from "../../src/web/api.ts";
import { AttachmentList } from "../../src/web/attach/attachment-list.tsx";
import { addUpload } from "../../src/web/attach/uploads.ts";
import { uploadFile, type SendOptions } from "../../src/web/attach/upload-request.ts";
import { Composer } from "../../src/web/components/composer.tsx";
import { ConversationContext } from "../../src/web/components/conversation-context.ts";
import { PendingRows } from "../../src/web/components/pending-row.tsx";
import type { OutboxFile } from "../../src/web/sync/outbox.ts";
import { SPACE } from "./support/fixtures.ts";

vi.mock("../../src/web/attach/upload-request.ts", () => ({ uploadFile: vi.fn(), putPreview: vi.fn() }));
vi.mock("../../src/web/attach/reencode.ts", async (original) => ({
  ...(await original<typeof import("../../src/web/attach/reencode.ts")>()),
  prepare: async (file: Blob) => ({ body: file }),
}));
const upload = vi.mocked(uploadFile);

const id = (n: number) => `f${String(n).padStart(26, "0")}` as AttachmentId;
const attachment = (n: number, overrides: Partial<Attachment> = {}): Attachment => ({ id: id(n), name: `file-${n}`, type: "application/pdf", size: 2048, ...overrides });

/** Uploads that the test moves along: each reports progress and ends when told. */
function controlledUploads() {
  const started: { name: string; options: SendOptions; finish(): void; fail(error: Error): void }[] = [];
  upload.mockImplementation(
    (_space, name, body, options = {}) =>
      new Promise((resolve, reject) => {
        options.signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")));
        started.push({ name, options, finish: () => resolve(attachment(started.length, { name, size: body.size })), fail: reject });
      }),
  );
  return started;
}

function renderComposer() {
  const sent: { content: ContentNode[]; files: OutboxFile[] }[] = [];
  let area!: HTMLDivElement;
  render(() => (
    <div ref={area} data-testid="conversation">
      <Composer spaceId={SPACE} spaceName="Studio" onSend={(content, files) => sent.push({ content, files })} dropArea={() => area} />
    </div>
  ));
  return { sent, area: () => area };
}

async function pick(...files: File[]) {
  await screen.findByRole("button", { name: "Attach files" });
  const input = document.querySelector<HTMLInputElement>('input[type="file"]')!;
  Object.defineProperty(input, "files", { value: files, configurable: true });
  fireEvent.change(input);
}

const photo = (name = "beach.jpg") => new File(["jpeg bytes"], name, { type: "image/jpeg" });
const pdf = (name = "report.pdf", bytes = 3 * 1024) => new File(["x".repeat(bytes)], name, { type: "application/pdf" });

beforeEach(() => {
  upload.mockReset();
  vi.spyOn(URL, "createObjectURL").mockReturnValue("blob:thumbnail");
  vi.spyOn(URL, "revokeObjectURL").mockReturnValue(undefined);
});
afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

describe("the composer's files", () => {
  it("shows picked files in a tray with their size, thumbnail and upload progress, and sends them with no text", async () => {
    const uploads = controlledUploads();
    const { sent } = renderComposer();
    const send = screen.getByRole("button", { name: "Send" });
    expect(send).toBeDisabled();

    await pick(photo(), pdf());
    const tray = await screen.findByRole("list", { name: "Attached files" });
    const [image, file] = within(tray).getAllByRole("listitem");
    expect(image).toHaveTextContent("beach.jpg");
    expect(image!.querySelector("img")).toHaveAttribute("src", "blob:thumbnail");
    expect(file).toHaveTextContent("report.pdf");
    expect(file).toHaveTextContent("3 KiB");
    expect(screen.getByText("Photos are re-encoded on this device: location and camera details are removed.")).toBeInTheDocument();

    await vi.waitFor(() => expect(uploads).toHaveLength(2));
    uploads[1]!.options.onProgress!(0.42);
    const bar = await screen.findByRole("progressbar", { name: "Uploading report.pdf" });
    expect(bar).toHaveAttribute("aria-valuenow", "42");
    expect(bar).toHaveAttribute("aria-valuemin", "0");
    expect(bar).toHaveAttribute("aria-valuemax", "100");

    uploads[0]!.finish();
    await vi.waitFor(() => expect(screen.getByRole("button", { name: "Remove beach.jpg" })).toBeInTheDocument());
    expect(send).toBeEnabled();
    fireEvent.click(send);
    expect(sent).toMatchObject([{ content: [], files: [{ name: "beach.jpg", type: "image/jpeg" }, { name: "report.pdf", size: 3072 }] }]);
    // Handed over to the message: the composer's tray is empty again.
    expect(screen.queryByRole("list", { name: "Attached files" })).not.toBeInTheDocument();
  });

  it("says photos are re-encoded also for a photo picked without a type, once the server has typed it by its bytes", async () => {
    upload.mockImplementation(async (_space, name, body) => attachment(1, { name, size: body.size, type: "image/jpeg" }));
    renderComposer();
    await pick(new File(["jpeg bytes"], "IMG_0001", { type: "" }));
    await screen.findByRole("button", { name: "Remove IMG_0001" });
    expect(screen.getByText("Photos are re-encoded on this device: location and camera details are removed.")).toBeInTheDocument();
  });

  it("cancels an upload under way, and retries a failed one", async () => {
    const uploads = controlledUploads();
    renderComposer();
    await pick(pdf("big.pdf"), pdf("small.pdf"));
    await vi.waitFor(() => expect(uploads).toHaveLength(2));

    fireEvent.click(screen.getByRole("button", { name: "Cancel big.pdf" }));
    expect(uploads[0]!.options.signal!.aborted).toBe(true);
    expect(screen.queryByText("big.pdf")).not.toBeInTheDocument();

    uploads[1]!.fail(new ApiError("PAYLOAD_TOO_LARGE", "the file is larger than 25 MiB"));
    expect(await screen.findByRole("alert")).toHaveTextContent("the file is larger than 25 MiB");
    fireEvent.click(screen.getByRole("button", { name: "Retry small.pdf" }));
    await vi.waitFor(() => expect(uploads).toHaveLength(3));
    expect(uploads[2]!.name).toBe("small.pdf");
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });

  it("starts an upload that failed offline again when the network is back", async () => {
    const uploads = controlledUploads();
    renderComposer();
    await pick(pdf("train.pdf"));
    await vi.waitFor(() => expect(uploads).toHaveLength(1));
    uploads[0]!.fail(new OfflineError(new TypeError("Failed to fetch")));
    expect(await screen.findByRole("alert")).toHaveTextContent("You appear to be offline");
    window.dispatchEvent(new Event("online"));
    await vi.waitFor(() => expect(uploads).toHaveLength(2));
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });

  it("attaches pasted files and files dropped on the conversation, which shows itself a drop target while they are over it", async () => {
    controlledUploads();
    const { area } = renderComposer();
    await screen.findByRole("button", { name: "Attach files" });
    fireEvent.paste(document.querySelector("form")!, { clipboardData: { files: [photo("pasted.png")] } });
    expect(await screen.findByText("pasted.png")).toBeInTheDocument();

    const dragged = { types: ["Files"], files: [pdf("dropped.pdf")] };
    fireEvent.dragEnter(area(), { dataTransfer: dragged });
    expect(area()).toHaveClass("dropping");
    fireEvent.drop(area(), { dataTransfer: dragged });
    expect(area()).not.toHaveClass("dropping");
    expect(await screen.findByText("dropped.pdf")).toBeInTheDocument();

    // Dragged text is the browser's business.
    fireEvent.dragEnter(area(), { dataTransfer: { types: ["text/plain"], files: [] } });
    expect(area()).not.toHaveClass("dropping");
  });

  it("stops the uploads of files left unsent when the composer goes away", async () => {
    const uploads = controlledUploads();
    renderComposer();
    await pick(pdf("draft.pdf"));
    await vi.waitFor(() => expect(uploads).toHaveLength(1));
    cleanup();
    expect(uploads[0]!.options.signal!.aborted).toBe(true);
  });

  it("takes at most ten files for a message and says so", async () => {
    controlledUploads();
    renderComposer();
    await pick(...Array.from({ length: 12 }, (_, n) => pdf(`page-${n}.pdf`, 10)));
    const tray = await screen.findByRole("list", { name: "Attached files" });
    expect(within(tray).getAllByRole("listitem")).toHaveLength(10);
    expect(screen.getByRole("alert")).toHaveTextContent("A message carries at most 10 files.");
  });
});

describe("a pending message's files", () => {
  it("shows each with its state, lets one be taken out, and retries the message for a failed one", async () => {
    const onDropFile = vi.fn();
    const onRetry = vi.fn();
    upload.mockRejectedValue(new ApiError("PAYLOAD_TOO_LARGE", "the file is larger than 25 MiB"));
    const refused = addUpload(SPACE, pdf("huge.pdf"), "huge.pdf");
    const files: OutboxFile[] = [
      { key: "not-in-memory", name: "kept.pdf", size: 10, type: "application/pdf", attachment: attachment(1) },
      { key: "waiting", name: "later.pdf", size: 20, type: "application/pdf" },
      { key: refused, name: "huge.pdf", size: 3072, type: "application/pdf" },
    ];
    render(() => (
      <ul>
        <PendingRows
          entries={[{ id: "/01ARZ3NDEKTSV4RRFFQ69G5FAV", spaceId: SPACE, text: "two files", files, createdAt: Date.now(), status: "queued" }]}
          ownerId="@me"
          author="Me"
          after={undefined}
          onRetry={onRetry}
          onDiscard={() => undefined}
          onDropFile={onDropFile}
        />
      </ul>
    ));
    const tray = await screen.findByRole("list", { name: "Attached files" });
    expect(within(tray).getAllByRole("listitem")[1]).toHaveTextContent("Waiting");
    fireEvent.click(within(tray).getByRole("button", { name: "Remove kept.pdf" }));
    expect(onDropFile).toHaveBeenCalledWith("/01ARZ3NDEKTSV4RRFFQ69G5FAV", "not-in-memory");
    fireEvent.click(await within(tray).findByRole("button", { name: "Retry huge.pdf" }));
    expect(onRetry).toHaveBeenCalledWith("/01ARZ3NDEKTSV4RRFFQ69G5FAV");
    expect(upload).toHaveBeenCalledTimes(1);
  });
});

describe("attachments in a message", () => {
  const shown = (attachments: Attachment[]) => render(() => <AttachmentList messageId="/m1" attachments={attachments} />);

  it("shows an image at its size before it loads: the preview when there is one, opening the original", () => {
    shown([attachment(1, { name: "wide.jpg", type: "image/jpeg", width: 4000, height: 3000, preview: { width: 1280, height: 960 } }), attachment(2, { name: "small.png", type: "image/png", width: 200, height: 100 })]);
    const wide = screen.getByRole("img", { name: "wide.jpg" });
    expect(wide).toHaveAttribute("src", `/api/attachments/${id(1)}/preview`);
    // Shrunk to the 480 × 360 box, the aspect kept: the room is known before a byte arrives.
    expect(wide).toHaveAttribute("width", "480");
    expect(wide).toHaveAttribute("height", "360");
    expect(wide).toHaveAttribute("loading", "lazy");
    expect(wide).toHaveAttribute("decoding", "async");
    expect(wide.closest("a")).toHaveAttribute("href", `/api/attachments/${id(1)}`);
    expect(wide.closest("a")).toHaveAttribute("target", "_blank");

    const small = screen.getByRole("img", { name: "small.png" });
    expect(small).toHaveAttribute("src", `/api/attachments/${id(2)}`);
    expect(small).toHaveAttribute("width", "200");
    expect(small).toHaveAttribute("height", "100");
  });

  it("loads the pictures of the conversation's newest messages at once, at high priority; older ones when scrolled near", () => {
    const facts = { nameOf: () => undefined, intention: () => undefined, author: () => "", jumpTo: () => undefined, isNewest: (id: string) => id === "/new" };
    render(() => (
      <ConversationContext.Provider value={facts}>
        <AttachmentList messageId="/old" attachments={[attachment(1, { name: "old.png", type: "image/png", width: 20, height: 10 })]} />
        <AttachmentList messageId="/new" attachments={[attachment(2, { name: "new.png", type: "image/png", width: 20, height: 10 })]} />
      </ConversationContext.Provider>
    ));
    expect(screen.getByRole("img", { name: "old.png" })).toHaveAttribute("loading", "lazy");
    const newest = screen.getByRole("img", { name: "new.png" });
    expect(newest).toHaveAttribute("loading", "eager");
    expect(newest).toHaveAttribute("fetchpriority", "high");
  });

  it("plays video and audio in place, and offers anything else as a download with its name and size", () => {
    const { container } = shown([
      attachment(1, { name: "clip.mp4", type: "video/mp4" }),
      attachment(2, { name: "song.mp3", type: "audio/mpeg" }),
      attachment(3, { name: "page.html", type: "application/octet-stream", size: 5 * 1024 * 1024 }),
    ]);
    const video = container.querySelector("video")!;
    expect(video).toHaveAttribute("src", `/api/attachments/${id(1)}`);
    expect(video).toHaveAttribute("controls");
    expect(video).toHaveAttribute("preload", "metadata");
    expect(container.querySelector("audio")).toHaveAttribute("src", `/api/attachments/${id(2)}`);
    const download = screen.getByRole("link", { name: /page\.html/ });
    expect(download).toHaveAttribute("href", `/api/attachments/${id(3)}?download=1`);
    expect(download).toHaveTextContent("5 MiB");
  });

  it("lets long names wrap rather than widen the page", async () => {
    // jsdom lays nothing out (and gives tests no CSS): the rule that wraps them is what can be checked here
    // (tests/e2e/attachments.e2e.test.ts sees one wrap on a phone).
    const { readFileSync } = await vi.importActual<{ readFileSync(path: string, encoding: "utf8"): string }>("node:fs");
    const wrapping = /([^{}]*)\{\s*overflow-wrap: anywhere;\s*\}/.exec(readFileSync("src/web/styles.css", "utf8"))![1]!.split(",").map((selector) => selector.trim());
    // A message's files are in the message; the tray is under the composer.
    expect(wrapping).toEqual(expect.arrayContaining([".message", ".attach-tray"]));
  });
});
