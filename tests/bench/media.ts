// Voice and video on the local stack in Chromium (fake camera, tone-playing microphone, fake screen):
// from the press of a switch on one page to the result on the other's, and the start chunk's size.
// Run: npm run bench:media   (prints a markdown table; takes about two minutes)
import type { Page } from "playwright-core";
import { connectionIs, fakeMediaArgs, launchBrowser, person, switchOf } from "../e2e/support.ts";
import { StackClient } from "../integration/http.ts";
import { createSpace, distributionRow, load, startBenchStack } from "./support.ts";

const TRIALS = 9;

/** Presses a switch and waits until it reads `pressed` (the press's own round trip, on the presser's page). */
async function press(page: Page, label: string, pressed: boolean) {
  await switchOf(page, label).click();
  await page.waitForFunction(
    ([label, pressed]) =>
      [...document.querySelectorAll<HTMLButtonElement>("[aria-label='Voice and video'] button")].some(
        (b) => b.textContent?.startsWith(label as string) && b.getAttribute("aria-pressed") === String(pressed) && b.getAttribute("aria-busy") !== "true",
      ),
    [label, pressed],
    { polling: "raf", timeout: 30_000 },
  );
}

/** Resolves with the time at which `check` holds in the page (checked every animation frame). */
function when(page: Page, check: () => boolean): Promise<number> {
  return page.waitForFunction(check, undefined, { polling: "raf", timeout: 30_000 }).then(() => Date.now());
}

const orbVideoPlaying = () =>
  [...document.querySelectorAll<HTMLVideoElement>(".orb video")].some((v) => v.videoWidth > 0 && v.getVideoPlaybackQuality().totalVideoFrames > 0);
const orbShown = () => document.querySelectorAll(".orb").length > 0;
const orbGone = () => document.querySelectorAll(".orb").length === 0;
const screenPlaying = () =>
  [...document.querySelectorAll<HTMLVideoElement>(".screen-share video")].some((v) => v.videoWidth > 0 && v.getVideoPlaybackQuality().totalVideoFrames > 0);

const stack = await startBenchStack({ database: { kind: "postgres" }, livekit: "required", buildWeb: true });
const browser = await launchBrowser(fakeMediaArgs());
try {
  const host = await StackClient.guest(stack.url, "Host");
  const space = await createSpace(host, "Media bench");
  const ada = await person(browser, stack.url, "Ada", { space, spaceName: "Media bench" });
  const bob = await person(browser, stack.url, "Bob", { space, spaceName: "Media bench" });
  await Promise.all([connectionIs(ada.page, "Connected", 30_000), connectionIs(bob.page, "Connected", 30_000)]);

  const loadAtStart = load();
  const camera: number[] = [];
  const microphone: number[] = [];
  const screen: number[] = [];
  const off: number[] = [];
  /** Milliseconds from Ada's press of `label` until `check` holds on Bob's page. */
  const timed = async (label: string, pressed: boolean, check: () => boolean) => {
    const seen = when(bob.page, check);
    const pressedAt = Date.now();
    await press(ada.page, label, pressed);
    return (await seen) - pressedAt;
  };
  for (let trial = 0; trial < TRIALS; trial++) {
    camera.push(await timed("Camera", true, orbVideoPlaying));
    screen.push(await timed("Share screen", true, screenPlaying));
    await press(ada.page, "Share screen", false);
    off.push(await timed("Camera", false, orbGone));
    microphone.push(await timed("Microphone", true, orbShown));
    await timed("Microphone", false, orbGone);
  }

  console.log(`1-minute load average: ${loadAtStart} at the start, ${load()} at the end.\n`);
  console.log("| measured (ms), press on one page → result on the other's | n | p50 | p90 | max |\n|---|---|---|---|---|");
  console.log(distributionRow("Camera on → the other's orb plays a decoded frame", camera));
  console.log(distributionRow("Microphone on → the other shows the initials orb", microphone));
  console.log(distributionRow("Share screen on → the other's large view plays a frame", screen));
  console.log(distributionRow("Camera off (alone) → the orb is gone on the other's page", off));
} finally {
  await browser.close();
  await stack.stop();
}
