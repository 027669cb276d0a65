// The space page's layout in Chromium (issue 22): long unbroken text wraps instead of widening the page,
// and the voice-and-video switches look and sit the same before and after their code loads.
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import type { BeingId } from "../../src/shared/entities.ts";
import { controlStack } from "../integration/http.ts";
import { connectionIs, fakeMediaArgs, launchBrowser, message, person, switchOf, useScene, type Person } from "./support.ts";

const scene = useScene();
const { newSpace, join } = scene;

/** Says `text` in `space` as the host, over HTTP. */
async function hostSays(space: BeingId, text: string): Promise<void> {
  expect((await scene.host.request("POST", `/api/spaces/${space}/intentions`, { content: text })).status).toBe(201);
}

/** How wide the page is laid out, and the window it is in. */
const widths = (page: Page) => page.evaluate(() => ({ page: document.documentElement.scrollWidth, window: innerWidth }));

/** Where `label`'s control is, and whether it ends inside the window. */
async function inView(page: Page, label: string): Promise<boolean> {
  const box = (await page.getByRole("button", { name: label, exact: true }).boundingBox())!;
  return box.x >= 0 && box.x + box.width <= page.viewportSize()!.width;
}

describe("long unbroken text", () => {
  it("wraps: a draft, a message, a space's, its parent's and a being's name keep the page the window's width", async () => {
    // A pasted token or URL: no space to break at. (The spaces list is by name: digits come first in it.)
    const unbroken = (letter: string, length = 64) => letter.repeat(length);
    const parent = await newSpace(unbroken("0"));
    const child = await scene.host.request("POST", "/api/beings", { id: `@${unbroken("c")}`, name: unbroken("1"), type: "space", locationId: parent });
    expect(child.status).toBe(201);
    const space: BeingId = child.body.being.id;
    await hostSays(space, unbroken("m", 10_000));

    for (const mobile of [false, true]) {
      const ada = await join(unbroken("A"), space, unbroken("1"), mobile);
      await message(ada.page, "mmmm").waitFor();
      await ada.page.getByRole("link", { name: `Up to ${unbroken("0")}` }).waitFor();
      // On a phone the spaces list is in the people panel, which slides over the conversation when opened.
      if (mobile) await ada.page.getByRole("button", { name: /^Here/ }).click();
      await ada.page.getByRole("navigation", { name: "Spaces" }).getByRole("link", { name: unbroken("0") }).waitFor();
      await ada.page.getByRole("textbox", { name: /^Message / }).fill(unbroken("d", 20_000));
      expect(await widths(ada.page)).toEqual({ page: ada.page.viewportSize()!.width, window: ada.page.viewportSize()!.width });
      for (const label of ["Send", "Sign out"]) expect(await inView(ada.page, label)).toBe(true);
      // The conversation stays on screen, as wide as its column.
      const log = (await ada.page.getByRole("log", { name: "Conversation" }).boundingBox())!;
      expect(log.width).toBeGreaterThan(ada.page.viewportSize()!.width / 2);

      await ada.page.goto("/account");
      await ada.page.getByRole("heading", { level: 1, name: "Your identity" }).waitFor();
      expect(await widths(ada.page)).toEqual({ page: ada.page.viewportSize()!.width, window: ada.page.viewportSize()!.width });
      await ada.close();
    }
  }, 120_000);
});

/** The page's layout shifts not caused by input, summed from its load until now (CLS without its session windows). */
const layoutShift = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<number>((resolve) =>
        new PerformanceObserver((list, observer) => {
          observer.disconnect();
          const shifts = list.getEntries() as Array<PerformanceEntry & { value: number; hadRecentInput: boolean }>;
          resolve(shifts.filter((shift) => !shift.hadRecentInput).reduce((sum, shift) => sum + shift.value, 0));
        }).observe({ type: "layout-shift", buffered: true }),
      ),
  );

/** Whether the page has fetched the media code. */
const mediaLoaded = (page: Page) =>
  page.evaluate(() => performance.getEntriesByType("resource").some((entry) => /\/assets\/panel-[^/]+\.js$/.test(entry.name)));

/** Each switch's place and size on the page. */
const switchBoxes = (page: Page) => Promise.all(["Microphone", "Camera", "Share screen"].map((label) => switchOf(page, label).boundingBox()));

/**
 * The switches' boxes before the media code loads (with the page's layout shift until then), and after:
 * someone turning their microphone on makes the page fetch that code, which draws the switches anew. Bob
 * has a (fake) microphone; the watching page's browser names no device, as before anyone allowed one.
 */
async function acrossTheMediaLoad(watching: Person, space: BeingId, spaceName: string) {
  await connectionIs(watching.page, "Connected");
  expect(await mediaLoaded(watching.page)).toBe(false);
  const before = await switchBoxes(watching.page);
  const shift = await layoutShift(watching.page);
  const withMicrophone = await launchBrowser(fakeMediaArgs());
  try {
    const bob = await person(withMicrophone, scene.url, "Bob", { space, spaceName });
    await connectionIs(bob.page, "Connected");
    await switchOf(bob.page, "Microphone").click();
    await watching.page.getByRole("list", { name: "On voice and video" }).waitFor();
  } finally {
    await withMicrophone.close();
  }
  expect(await mediaLoaded(watching.page)).toBe(true);
  return { before, shift, after: await switchBoxes(watching.page) };
}

describe("the voice-and-video switches", () => {
  it("look and sit the same before and after the media code loads: nothing moves", async () => {
    const space = await newSpace("Switches");
    await hostSays(space, "the first message");
    const ada = await join("Ada", space, "Switches");
    const { before, shift, after } = await acrossTheMediaLoad(ada, space, "Switches");
    expect(after).toEqual(before);
    // From the first paint to live, the switches included, nothing moved (what the call shows once
    // someone is on it is content arriving, and not counted).
    expect(shift).toBeLessThanOrEqual(0.05);
  }, 120_000);

  it("on a phone too; and the bar is a band of its own above the conversation, not laid on it", async () => {
    const space = await newSpace("Phone");
    for (let i = 1; i <= 30; i++) await hostSays(space, `message ${i}`);
    const ada = await join("Ada", space, "Phone", true);
    await message(ada.page, "message 30").waitFor();
    const { before, shift, after } = await acrossTheMediaLoad(ada, space, "Phone");
    expect(after).toEqual(before);
    expect(shift).toBeLessThanOrEqual(0.05);
    // The conversation starts below the bar's own edge: a message scrolled under it is cut by that edge,
    // not hidden behind the switches.
    const switchesEnd = Math.max(...after.map((box) => box!.y + box!.height));
    const log = (await ada.page.getByRole("log", { name: "Conversation" }).boundingBox())!;
    expect(switchesEnd).toBeLessThan(log.y);
  }, 120_000);
});

describe("the top bar on a phone", () => {
  it("keeps its rows whatever the connection says: with live sync off, nothing below it moves", async () => {
    const space = await newSpace("Polling phone");
    await hostSays(space, "a message");
    const livekit = (action: "down" | "up") => controlStack(inject("stackControl"), `livekit/${action}`);
    await livekit("down");
    try {
      const ada = await join("Ada", space, "Polling phone", true);
      await connectionIs(ada.page, "Live sync off · polling", 30_000);
      // The longest connection word once wrapped the row under the title onto a third and pushed the conversation down.
      expect(await layoutShift(ada.page)).toBeLessThanOrEqual(0.05);
    } finally {
      await livekit("up");
    }
  }, 90_000);
});
