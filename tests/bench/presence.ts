// Presence on the local stack in Chromium: how long until the others see a person arrive (from the
// newcomer's first paint, and from its page saying "Connected") and leave, and how far apart two tabs
// of one being receive the same message.
// Run: npm run bench:presence   (prints markdown tables; takes about a minute)
import type { Page } from "playwright-core";
import { connectionIs, inSpace, launchBrowser, message, person, say } from "../e2e/support.ts";
import { StackClient } from "../integration/http.ts";
import { createSpace, distributionRow, load, startBenchStack } from "./support.ts";

const TRIALS = 10;

/**
 * The moment (ms since the epoch, the page's own clock) `name` shows in the page's "Here now" list as
 * online, seen in the page as the DOM changes: no polling delay between the two pages' clocks.
 */
function seenOnlineAt(page: Page, name: string): Promise<number> {
  return page.evaluate(
    (name) =>
      new Promise<number>((resolve) => {
        const shown = () =>
          [...document.querySelectorAll('[aria-label="Here now"] .person')].some(
            (person) => person.textContent?.includes(name) && person.querySelector('[role="img"][aria-label="online"]'),
          );
        const look = () => {
          if (!shown()) return;
          observer.disconnect();
          resolve(performance.timeOrigin + performance.now());
        };
        const observer = new MutationObserver(look);
        observer.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
        look();
      }),
    name,
  );
}

/** The moment (ms since the epoch) the page first painted content. */
const firstPaintAt = (page: Page) =>
  page.evaluate(() => performance.timeOrigin + performance.getEntriesByName("first-contentful-paint")[0]!.startTime);

/** Resolves with the time at which `name` shows in the page's "Here now" list as online (or in the away group). */
function seen(page: Page, name: string, where: "online" | "away"): Promise<number> {
  const list = page.getByRole("list", { name: where === "online" ? "Here now" : "Away" });
  return list
    .locator(".person", { hasText: name })
    .getByRole("img", { name: where })
    .waitFor({ timeout: 30_000 })
    .then(() => Date.now());
}

const stack = await startBenchStack({ database: { kind: "postgres" }, livekit: "required", buildWeb: true });
const browser = await launchBrowser();
try {
  const host = await StackClient.guest(stack.url, "Host");
  const space = await createSpace(host, "Presence bench");
  const ada = await person(browser, stack.url, "Ada", { space, spaceName: "Presence bench" });
  await connectionIs(ada.page, "Connected", 30_000);
  const arrivals: number[] = [];
  const fromFirstPaint: number[] = [];
  const departures: number[] = [];
  for (let trial = 0; trial < TRIALS; trial++) {
    const name = `Visitor ${trial}`;
    const visitor = await person(browser, stack.url, name);
    const arrived = seen(ada.page, name, "online");
    const arrivedAt = seenOnlineAt(ada.page, name);
    await visitor.visit(space, "Presence bench");
    // From the newcomer's first paint: both pages run in one browser on one machine, so one clock.
    fromFirstPaint.push((await arrivedAt) - (await firstPaintAt(visitor.page)));
    await connectionIs(visitor.page, "Connected", 30_000);
    // From the moment the visitor's own page says it is connected.
    const connectedAt = Date.now();
    arrivals.push(Math.max(0, (await arrived) - connectedAt));
    const summary = ada.page.locator("details.away summary");
    const closedAt = Date.now();
    // As a person closing the tab: the page unloads (pagehide runs), then the browser window goes.
    const gone = new Promise((resolve) => visitor.page.once("close", resolve));
    await visitor.page.close({ runBeforeUnload: true });
    await gone;
    await visitor.close();
    await summary.waitFor({ timeout: 30_000 });
    if (!(await ada.page.locator("details.away").evaluate((d) => (d as HTMLDetailsElement).open))) await summary.click();
    departures.push((await seen(ada.page, name, "away")) - closedAt);
  }

  // Two tabs of one being: each message's arrival in both, and the gap between them.
  const second = await ada.context.newPage();
  await second.goto(`/${space}`);
  await inSpace(second, "Presence bench");
  await connectionIs(second, "Connected", 30_000);
  const bob = await person(browser, stack.url, "Bob", { space, spaceName: "Presence bench" });
  await connectionIs(bob.page, "Connected", 30_000);
  const tabs: number[] = [];
  const apart: number[] = [];
  for (let i = 0; i < TRIALS; i++) {
    const text = `for both tabs ${i}`;
    const sentAt = Date.now();
    await say(bob.page, text);
    const [one, two] = await Promise.all([ada.page, second].map((page) => message(page, text).waitFor().then(() => Date.now())));
    tabs.push(one! - sentAt, two! - sentAt);
    apart.push(Math.abs(one! - two!));
  }

  console.log(`\nload average ${load()} at the end; with ${TRIALS} trials, max is the p99\n`);
  console.log("| measured (ms) | n | p50 | p90 | max |\n|---|---|---|---|---|");
  console.log(distributionRow("newcomer's first paint → shown online to the other", fromFirstPaint));
  console.log(distributionRow("join → shown online to the other (from the joiner's Connected)", arrivals));
  console.log(distributionRow("leave (tab closed) → shown away to the other", departures));
  console.log(distributionRow("message sent → shown in each of two tabs of one being", tabs));
  console.log(distributionRow("gap between the two tabs", apart));
} finally {
  await browser.close();
  await stack.stop();
}
