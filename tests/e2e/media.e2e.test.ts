// Voice and video in Chromium with its fake camera, microphone (a beep) and screen: two people on the
// local stack, one turns things on, the other sees and hears them; nothing is loaded or asked for first.
import { Room } from "@livekit/rtc-node";
import { mkdir } from "node:fs/promises";
import type { Page } from "playwright-core";
import superjson from "superjson";
import { describe, expect, it } from "vitest";
import type { BeingId } from "../../src/shared/entities.ts";
import { axeViolations, connectionIs, fakeMediaArgs, launchBrowser, message, person, say, switchOf, useScene, type Person } from "./support.ts";

const scene = useScene({ browserArgs: fakeMediaArgs() });

/** Counts the page's calls to getUserMedia and getDisplayMedia in `__mediaAsks`. */
const COUNT_MEDIA_ASKS = () => {
  const devices = navigator.mediaDevices;
  const counted = (name: "getUserMedia" | "getDisplayMedia") => {
    const original = devices[name].bind(devices);
    devices[name] = ((constraints?: MediaStreamConstraints) => {
      (globalThis as { __mediaAsks?: number }).__mediaAsks = ((globalThis as { __mediaAsks?: number }).__mediaAsks ?? 0) + 1;
      return original(constraints);
    }) as typeof devices.getUserMedia;
  };
  counted("getUserMedia");
  counted("getDisplayMedia");
  // Audio contexts too: joining a room makes none (src/web/sync/room.ts), a person who only reads plays nothing.
  const Original = globalThis.AudioContext;
  globalThis.AudioContext = class extends Original {
    constructor(options?: AudioContextOptions) {
      super(options);
      (globalThis as { __audioContexts?: number }).__audioContexts = ((globalThis as { __audioContexts?: number }).__audioContexts ?? 0) + 1;
    }
  };
};

const orbs = (page: Page) => page.getByRole("list", { name: "On voice and video" }).getByRole("listitem");
const orbOf = (page: Page, name: string) => orbs(page).filter({ hasText: name });

/** Whether the page's video in `selector` has a picture that moves: dimensions, and frames decoded over half a second. */
function playing(page: Page, selector: string) {
  return page.locator(selector).first().evaluate(async (element) => {
    const video = element as HTMLVideoElement;
    const before = video.getVideoPlaybackQuality().totalVideoFrames;
    const time = video.currentTime;
    await new Promise((resolve) => setTimeout(resolve, 500));
    return { width: video.videoWidth, height: video.videoHeight, frames: video.getVideoPlaybackQuality().totalVideoFrames - before, advanced: video.currentTime > time };
  });
}

/** Ada and Bob in the space, both connected (Bob on a phone if asked). */
async function joinBoth(space: BeingId, options: { bobOnPhone?: boolean } = {}) {
  const [ada, bob] = await Promise.all([scene.join("Ada", space, "Call"), scene.join("Bob", space, "Call", options.bobOnPhone)]);
  await Promise.all([connectionIs(ada.page, "Connected"), connectionIs(bob.page, "Connected")]);
  return { ada, bob };
}

const mediaLoaded = (page: Page) =>
  page.evaluate(() => performance.getEntriesByType("resource").some((entry) => /\/assets\/panel-[^/]+\.js$/.test(entry.name)));
const asks = (page: Page) => page.evaluate(() => (globalThis as { __mediaAsks?: number }).__mediaAsks ?? 0);
const audioContexts = (page: Page) => page.evaluate(() => (globalThis as { __audioContexts?: number }).__audioContexts ?? 0);

describe("voice and video in a space", () => {
  it("costs nothing until asked; then the other sees a playing camera, the speaking ring, a large screen; off removes the orb for both", async () => {
    const space = await scene.newSpace("Call");
    const { ada, bob } = await joinBoth(space);
    await Promise.all([ada, bob].map((p) => p.context.addInitScript(COUNT_MEDIA_ASKS)));
    await Promise.all([ada, bob].map((p) => p.page.reload()));
    await Promise.all([connectionIs(ada.page, "Connected"), connectionIs(bob.page, "Connected")]);

    // Before anyone presses anything: switches off, no media code fetched, no device asked for.
    for (const p of [ada, bob]) {
      for (const label of ["Microphone", "Camera", "Share screen"]) await expect(switchOf(p.page, label).getAttribute("aria-pressed")).resolves.toBe("false");
      expect(await mediaLoaded(p.page)).toBe(false);
      expect(await asks(p.page)).toBe(0);
      expect(await audioContexts(p.page)).toBe(0);
    }

    // By keyboard: the switches are buttons in the tab order.
    await switchOf(ada.page, "Microphone").focus();
    await ada.page.keyboard.press("Space");
    await expect.poll(() => switchOf(ada.page, "Microphone").getAttribute("aria-pressed"), { timeout: 20_000 }).toBe("true");
    await switchOf(ada.page, "Camera").click();
    await expect.poll(() => switchOf(ada.page, "Camera").getAttribute("aria-pressed"), { timeout: 20_000 }).toBe("true");
    expect(await asks(ada.page)).toBeGreaterThan(0);
    // Once the browser has named the devices, the microphone can be switched while it is on.
    const picker = ada.page.getByRole("combobox", { name: "Microphone to use" });
    const other = await picker.locator("option").evaluateAll((options) => (options as HTMLOptionElement[]).map((o) => o.value).find((v) => v !== "default"));
    await picker.selectOption(other!);
    await expect.poll(() => picker.inputValue()).toBe(other);
    expect(await switchOf(ada.page, "Microphone").getAttribute("aria-pressed")).toBe("true");

    // Bob's page loads the media code because Ada publishes, and sees her camera play in her orb.
    await orbOf(bob.page, "Ada").locator("video").waitFor({ timeout: 20_000 });
    await expect.poll(async () => (await playing(bob.page, ".orb video")).frames, { timeout: 20_000 }).toBeGreaterThan(0);
    const video = await playing(bob.page, ".orb video");
    expect(video.width).toBeGreaterThan(0);
    expect(video.height).toBeGreaterThan(0);
    expect(video.advanced).toBe(true);
    expect(await asks(bob.page)).toBe(0);
    // Ada's microphone plays a tone: LiveKit's speaker detection rings her orb on Bob's page.
    await expect.poll(() => orbOf(bob.page, "Ada").getAttribute("data-speaking"), { timeout: 20_000 }).toBe("true");
    // The only one speaking is the active speaker: her orb is the highlighted one.
    await expect.poll(() => orbOf(bob.page, "Ada").evaluate((orb) => orb.classList.contains("active")), { timeout: 20_000 }).toBe(true);

    // Bob turns his camera on too: two orbs on both pages (the screenshot).
    await switchOf(bob.page, "Camera").click();
    await expect.poll(() => orbs(ada.page).count(), { timeout: 20_000 }).toBe(2);
    await expect.poll(() => orbs(bob.page).count(), { timeout: 20_000 }).toBe(2);
    await expect.poll(async () => (await playing(ada.page, ".orb:has-text('Bob') video")).frames, { timeout: 20_000 }).toBeGreaterThan(0);
    await mkdir("test-results/screenshots", { recursive: true });
    await bob.page.screenshot({ path: "test-results/screenshots/media-two-orbs.png" });

    // Ada shares her screen: it opens large on Bob's page.
    await switchOf(ada.page, "Share screen").click();
    const screen = bob.page.getByRole("figure").filter({ hasText: "Ada's screen" });
    await screen.locator("video").waitFor({ timeout: 20_000 });
    await expect.poll(async () => (await playing(bob.page, ".screen-share video")).frames, { timeout: 20_000 }).toBeGreaterThan(0);
    const box = await screen.locator("video").boundingBox();
    const orbBox = await orbOf(bob.page, "Ada").locator("video").boundingBox();
    expect(box!.width).toBeGreaterThan(3 * orbBox!.width);

    // Everything off: Ada's orb and screen are gone for both; Bob's stays.
    for (const label of ["Share screen", "Camera", "Microphone"]) {
      await switchOf(ada.page, label).click();
      await expect.poll(() => switchOf(ada.page, label).getAttribute("aria-pressed"), { timeout: 20_000 }).toBe("false");
    }
    for (const p of [ada, bob]) {
      await expect.poll(() => orbOf(p.page, "Ada").count(), { timeout: 20_000 }).toBe(0);
      await expect.poll(() => p.page.getByRole("figure").filter({ hasText: "Ada's screen" }).count(), { timeout: 20_000 }).toBe(0);
      await expect.poll(() => orbOf(p.page, "Bob").count()).toBe(1);
    }
  });

  it("keeps the data rule: a participant's packet on the sync topic reaches nobody, even one shaped as a batch", async () => {
    const space = await scene.newSpace("Call");
    const { ada, bob } = await joinBoth(space);
    // Ada's session, from outside the app: her token in a second connection that tries to speak on `sync`.
    const reply = await ada.page.request.post(`/api/spaces/${space}/token`, { headers: { Origin: scene.url } });
    const { url, token } = (await reply.json()) as { url: string; token: string };
    const mallory = new Room();
    await mallory.connect(url, token, { autoSubscribe: false, dynacast: false });
    const forged = {
      v: 1,
      space,
      from: 1,
      to: 1_000_000,
      changes: [{ seq: 1_000_000, at: new Date(), kind: "intention", op: "upsert", id: "/forged", data: { id: "/forged", name: "", type: "utterance", state: "complete", ownerId: ada.id, locationId: space, content: ["forged message"], createdAt: new Date(), modifiedAt: new Date() } }],
    };
    // LiveKit carries it (a participant may publish data, to relay its own signed changes); unsigned, every receiver drops it.
    await mallory.localParticipant!.publishData(new TextEncoder().encode(superjson.stringify(forged)), { reliable: true, topic: "sync" }).catch(() => undefined);
    // An ordinary message after it: once Bob sees it, the forged one had every chance to arrive.
    await say(ada.page, "after the forgery");
    await message(bob.page, "after the forgery").waitFor();
    expect(await message(bob.page, "forged message").count()).toBe(0);
    expect(await message(ada.page, "forged message").count()).toBe(0);
    await mallory.disconnect();
  });

  it("says why nothing happened when the browser denies the camera, and how to allow it", async () => {
    const space = await scene.newSpace("Call");
    const denying = await launchBrowser(["--use-fake-device-for-media-stream", "--deny-permission-prompts"]);
    let carol: Person | undefined;
    try {
      carol = await person(denying, scene.url, "Carol", { space, spaceName: "Call" });
      await connectionIs(carol.page, "Connected");
      await switchOf(carol.page, "Camera").click();
      const alert = carol.page.getByRole("alert").filter({ hasText: "camera" });
      await alert.waitFor();
      expect(await alert.textContent()).toMatch(/blocked the camera.*Allow it/);
      expect(await switchOf(carol.page, "Camera").getAttribute("aria-pressed")).toBe("false");
      expect(await orbs(carol.page).count()).toBe(0);
    } finally {
      await carol?.close();
      await denying.close();
    }
  });

  it("fits the orbs above the conversation on a phone, accessible there and on a desktop", async () => {
    const space = await scene.newSpace("Call");
    const { ada, bob } = await joinBoth(space, { bobOnPhone: true });
    await switchOf(ada.page, "Camera").click();
    await switchOf(bob.page, "Microphone").click();
    await expect.poll(() => orbs(bob.page).count(), { timeout: 20_000 }).toBe(2);
    await expect.poll(async () => (await playing(bob.page, ".orb video")).frames, { timeout: 20_000 }).toBeGreaterThan(0);
    const viewport = bob.page.viewportSize()!;
    const row = (await bob.page.getByRole("list", { name: "On voice and video" }).boundingBox())!;
    const log = (await bob.page.getByRole("log", { name: "Conversation" }).boundingBox())!;
    expect(row.x).toBeGreaterThanOrEqual(0);
    expect(row.x + row.width).toBeLessThanOrEqual(viewport.width);
    expect(row.y + row.height).toBeLessThanOrEqual(log.y);
    // The call takes the top of the screen, not the conversation's place.
    expect(row.height).toBeLessThan(viewport.height / 6);
    expect(log.height).toBeGreaterThan(viewport.height / 3);
    await bob.page.screenshot({ path: "test-results/screenshots/media-phone.png" });
    expect(await axeViolations(bob.page)).toEqual([]);
    expect(await axeViolations(ada.page)).toEqual([]);
  });
});
