// Attachments, in Chromium against the full local stack: Ada pastes a photo and drops a PDF on the conversation,
// sees the upload's progress, and sends both with a caption; Bob sees them live, the photo in place at its size,
// and the photo he downloads has lost the metadata it was taken with (its camera and GPS position). An upload
// cancelled midway leaves the tray and nothing on the server, and someone who may not read the space is refused the files. axe-core finds nothing serious in the tray or the message.
// A file attached offline waits with its message, kept in IndexedDB through a reload, and goes when the network is back.
// A large photo goes with a preview, which readers are shown; on a phone, a long file name wraps instead of widening the page.
import pg from "pg";
import type { CDPSession, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { withExif } from "../support/images.ts";
import { axeViolations, inSpace, live, message, shellInstalled, until, useScene } from "./support.ts";

const scene = useScene();
const database = new pg.Client({ connectionString: inject("stack").databaseUrl });
beforeAll(() => database.connect());
afterAll(() => database.end());

/** The camera a photo's Exif names (beside its GPS position): neither may reach a reader. */
const CAMERA = "SERIAL-CAM-1234";

/** A JPEG Chromium drew (640 × 480), with an Exif segment naming CAMERA and a GPS latitude. */
async function photoWithMetadata(page: Page): Promise<number[]> {
  const jpeg = await page.evaluate(async () => {
    const canvas = new OffscreenCanvas(640, 480);
    const context = canvas.getContext("2d")!;
    context.fillStyle = "#4462e8";
    context.fillRect(0, 0, 640, 480);
    return [...new Uint8Array(await (await canvas.convertToBlob({ type: "image/jpeg", quality: 0.9 })).arrayBuffer())];
  });
  return [...withExif(new Uint8Array(jpeg), CAMERA)];
}

/** Pastes a file into the message box, as Ctrl+V of a copied file does. */
async function paste(page: Page, name: string, type: string, bytes: number[]): Promise<void> {
  await page.evaluate(
    ({ name, type, bytes }) => {
      const data = new DataTransfer();
      data.items.add(new File([new Uint8Array(bytes)], name, { type }));
      document.getElementById("composer-input")!.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
    },
    { name, type, bytes },
  );
}

/** Drags a PDF of `size` bytes over the conversation (`drop`: and lets go). */
async function drag(page: Page, name: string, size: number, drop: boolean): Promise<void> {
  await page.evaluate(
    ({ name, size, drop }) => {
      const data = new DataTransfer();
      data.items.add(new File([`%PDF-1.4\n${"x".repeat(size)}`], name, { type: "application/pdf" }));
      const area = document.querySelector("main.conversation")!;
      area.dispatchEvent(new DragEvent("dragenter", { dataTransfer: data, bubbles: true, cancelable: true }));
      if (drop) area.dispatchEvent(new DragEvent("drop", { dataTransfer: data, bubbles: true, cancelable: true }));
    },
    { name, size, drop },
  );
}

/** Slows the page's uploads to `bytesPerSecond` (or lifts the limit), so their progress can be seen. */
async function throttleUploads(cdp: CDPSession, bytesPerSecond: number): Promise<void> {
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: bytesPerSecond });
}

describe("attachments", () => {
  it("go up with progress, reach the other person live, and the photo's metadata is gone", async () => {
    const [ada, bob, carol] = await Promise.all([scene.join("Ada"), scene.join("Bob"), scene.join("Carol")]);
    const space = await scene.newSpace("Holiday", { private: true, members: [ada.id, bob.id] });
    await Promise.all([ada.visit(space, "Holiday"), bob.visit(space, "Holiday")]);
    await live(ada, bob);
    await ada.page.getByRole("button", { name: "Attach files" }).waitFor();

    const photo = await photoWithMetadata(ada.page);
    expect(Buffer.from(photo).toString("latin1")).toContain(CAMERA);
    await paste(ada.page, "beach.jpg", "image/jpeg", photo);
    const tray = ada.page.getByRole("list", { name: "Attached files" });
    await tray.getByRole("button", { name: "Remove beach.jpg" }).waitFor();
    await ada.page.getByText("Photos are re-encoded on this device: location and camera details are removed.").waitFor();

    const cdp = await ada.context.newCDPSession(ada.page);
    await throttleUploads(cdp, 256 * 1024);
    await drag(ada.page, "minutes.pdf", 1024 * 1024, false);
    expect(await ada.page.locator("main.conversation.dropping").count()).toBe(1);
    await drag(ada.page, "minutes.pdf", 1024 * 1024, true);
    expect(await ada.page.locator("main.conversation.dropping").count()).toBe(0);
    const progress = tray.getByRole("progressbar", { name: "Uploading minutes.pdf" });
    await expect.poll(async () => Number(await progress.getAttribute("aria-valuenow")), { timeout: 20_000 }).toBeGreaterThan(0);
    expect(await axeViolations(ada.page)).toEqual([]);

    // Another, cancelled midway: it leaves the tray, and the message goes without it.
    await drag(ada.page, "draft.pdf", 4 * 1024 * 1024, true);
    await tray.getByRole("progressbar", { name: "Uploading draft.pdf" }).waitFor();
    await tray.getByRole("button", { name: "Cancel draft.pdf" }).click();
    expect(await tray.getByText("draft.pdf").count()).toBe(0);
    // The worker hears its body end short: its reserved row goes (and no object was ever written).
    await until("the cancelled upload to leave nothing", async () =>
      (await database.query("SELECT 1 FROM attachments WHERE owner_id = $1 AND name = 'draft.pdf'", [ada.id])).rowCount === 0);

    await tray.getByRole("button", { name: "Remove minutes.pdf" }).waitFor({ timeout: 30_000 });
    await throttleUploads(cdp, -1);
    const box = ada.page.getByRole("textbox", { name: "Message Holiday" });
    await box.fill("the photo and the minutes");
    await box.press("Enter");

    const row = message(bob.page, "the photo and the minutes");
    const image = row.getByRole("img", { name: "beach.jpg" });
    await image.waitFor();
    // Its size is known before it loads: 640 × 480 shown at 480 × 360.
    expect([await image.getAttribute("width"), await image.getAttribute("height")]).toEqual(["480", "360"]);
    const download = row.getByRole("link", { name: /minutes\.pdf/ });
    expect(await download.getAttribute("href")).toMatch(/^\/api\/attachments\/f[0-9A-Z]{26}\?download=1$/);
    expect(await row.getByText("draft.pdf").count()).toBe(0);
    expect(await axeViolations(bob.page)).toEqual([]);

    const original = (await image.getAttribute("src"))!;
    const fetched = await bob.page.evaluate(async (url) => {
      const response = await fetch(url);
      return { status: response.status, type: response.headers.get("Content-Type"), bytes: [...new Uint8Array(await response.arrayBuffer())] };
    }, original);
    expect(fetched).toMatchObject({ status: 200, type: "image/jpeg" });
    expect(fetched.bytes.slice(0, 2)).toEqual([0xff, 0xd8]);
    const downloaded = Buffer.from(fetched.bytes).toString("latin1");
    expect(downloaded).not.toContain(CAMERA);
    expect(downloaded).not.toContain("Exif");

    // Carol may not read the space: its files are not found for her.
    const refused = await carol.page.evaluate(async (url) => (await fetch(url)).status, original);
    expect(refused).toBe(404);
  });

  it("attached offline, wait with their message through a reload, and go when the network is back", async () => {
    const space = await scene.newSpace("On the train");
    const [ada, bob] = await Promise.all([scene.join("Ada", space, "On the train"), scene.join("Bob", space, "On the train")]);
    await shellInstalled(ada.page);
    await live(ada, bob);
    await ada.page.getByRole("button", { name: "Attach files" }).waitFor();

    await ada.setOnline(false);
    await paste(ada.page, "notes.txt", "text/plain", [...Buffer.from("written without a network")]);
    const box = ada.page.getByRole("textbox", { name: "Message On the train" });
    await box.fill("notes from the tunnel");
    await box.press("Enter");
    const pending = message(ada.page, "notes from the tunnel");
    await pending.getByText("notes.txt").waitFor();

    const reloaded = await ada.page.reload();
    expect(reloaded?.fromServiceWorker()).toBe(true);
    await inSpace(ada.page, "On the train");
    await pending.getByText("Waiting to send").waitFor();
    await pending.getByText("notes.txt").waitFor();

    await ada.setOnline(true);
    const row = message(bob.page, "notes from the tunnel");
    const link = row.getByRole("link", { name: /notes\.txt/ });
    await link.waitFor({ timeout: 30_000 });
    const text = await bob.page.evaluate(async (url) => (await fetch(url)).text(), (await link.getAttribute("href"))!);
    expect(text).toBe("written without a network");
    await until("Ada's message to be confirmed", async () => (await message(ada.page, "notes from the tunnel").getAttribute("data-state")) === null, 30_000);
  }, 120_000);

  it("show a large photo by its preview, and on a phone wrap a long name instead of widening the page", async () => {
    const space = await scene.newSpace("Gallery");
    const ada = await scene.join("Ada", space, "Gallery");
    const bob = await scene.join("Bob", space, "Gallery", true);
    await live(ada, bob);
    await ada.page.getByRole("button", { name: "Attach files" }).waitFor();
    const large = await ada.page.evaluate(async () => {
      const canvas = new OffscreenCanvas(2000, 1500);
      const context = canvas.getContext("2d")!;
      context.fillStyle = "#1f9d55";
      context.fillRect(0, 0, 2000, 1500);
      return [...new Uint8Array(await (await canvas.convertToBlob({ type: "image/png" })).arrayBuffer())];
    });
    await paste(ada.page, "panorama.png", "image/png", large);
    const longName = `${"Minutes_of_the_very_long_meeting_".repeat(5)}final.pdf`;
    await drag(ada.page, longName, 1000, true);
    const tray = ada.page.getByRole("list", { name: "Attached files" });
    await tray.getByRole("button", { name: "Remove panorama.png" }).waitFor();
    await tray.getByRole("button", { name: `Remove ${longName}` }).waitFor();
    await ada.page.getByRole("textbox", { name: "Message Gallery" }).press("Enter");

    const image = bob.page.getByRole("img", { name: "panorama.png" });
    await image.waitFor();
    expect(await image.getAttribute("src")).toMatch(/^\/api\/attachments\/f[0-9A-Z]{26}\/preview$/);
    expect([await image.getAttribute("width"), await image.getAttribute("height")]).toEqual(["480", "360"]);
    await until("the preview to load", () => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0));
    expect(await image.evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight])).toEqual([1280, 960]);
    const name = bob.page.getByRole("link", { name: new RegExp(longName) }).getByText(longName);
    await name.waitFor();
    // The conversation scrolls by itself, so the page's own width would not show it: the name must end within the screen.
    expect(await name.evaluate((element) => element.getBoundingClientRect().right <= innerWidth)).toBe(true);
    expect(await bob.page.evaluate(() => document.documentElement.scrollWidth <= innerWidth)).toBe(true);
  });
});
