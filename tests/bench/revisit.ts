// Time to the first message painted when opening a space with 100 messages, in Chromium on the local
// stack: a cold visit (the space not kept in this browser: the snapshot comes over HTTP) against a
// revisit (painted from IndexedDB, then caught up). Both are full page loads of the space's address
// with the app shell already installed (the service worker in control), on loopback and on a
// throttled mobile network (Lighthouse's: 150 ms round trip, 1.6 Mbps down).
// Run: npm run bench:revisit   (prints a markdown table; takes a minute or two)
import type { Page } from "playwright-core";
import type { BeingId } from "../../src/shared/entities.ts";
import { inSpace, launchBrowser, person, shellInstalled, until } from "../e2e/support.ts";
import { StackClient } from "../integration/http.ts";
import { createSpace, fmt, load, percentile, startBenchStack } from "./support.ts";

const RUNS = 7;
const MESSAGES = 100;
const NAME = "Revisit bench";

/**
 * Records, in the page, when the first message row was painted (the frame after it was in the DOM and
 * shown: the list stays hidden while its first screenful is added), in ms from navigation start.
 */
const RECORD_FIRST_MESSAGE = () => {
  const scope = globalThis as { __firstMessage?: number };
  const look = (observer: MutationObserver) => {
    if (!document.querySelector(".message-list:not(.filling) [data-testid=message]")) return;
    observer.disconnect();
    requestAnimationFrame(() => (scope.__firstMessage = performance.now()));
  };
  addEventListener("DOMContentLoaded", () => {
    const observer = new MutationObserver(() => look(observer));
    observer.observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ["class"] });
  });
};

const NETWORKS = {
  loopback: undefined,
  "mobile (150 ms RTT, 1.6 Mbps)": { offline: false, latency: 150, downloadThroughput: (1_638.4 * 1024) / 8, uploadThroughput: (675 * 1024) / 8 },
} as const;

/** Opens the space by its address and returns the ms from navigation start to its first message painted. */
async function open(page: Page, space: BeingId): Promise<number> {
  await page.goto(`/${space}`);
  await inSpace(page, NAME);
  await until("the first message painted", () => page.evaluate(() => (globalThis as { __firstMessage?: number }).__firstMessage !== undefined));
  return page.evaluate(() => (globalThis as { __firstMessage?: number }).__firstMessage!);
}

/** Waits until the page keeps the space in IndexedDB with every message. */
async function kept(page: Page, space: BeingId): Promise<void> {
  await until("the space kept", () =>
    page.evaluate(
      ([space, count]) =>
        new Promise<boolean>((resolve) => {
          const request = indexedDB.open("spaces-cache");
          request.onerror = () => resolve(false);
          request.onsuccess = () => {
            const get = request.result.transaction("spaces").objectStore("spaces").get(space);
            get.onsuccess = () => resolve(get.result?.order.length === count);
            get.onerror = () => resolve(false);
          };
        }),
      [space, MESSAGES] as const,
    ),
  );
}

const stack = await startBenchStack({ database: { kind: "postgres" }, livekit: "auto", buildWeb: true });
const browser = await launchBrowser();
try {
  const host = await StackClient.guest(stack.url, "Host");
  const space = await createSpace(host, NAME);
  for (let i = 0; i < MESSAGES; i++) {
    await host.request("POST", `/api/spaces/${space}/intentions`, { content: `Message ${i}: **some** text, as people write it, with a [link](https://example.com).` });
  }
  const rows: string[] = [];
  for (const [network, conditions] of Object.entries(NETWORKS)) {
    const cold: number[] = [];
    const revisit: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      // A new browser profile each run: nothing kept yet, the app shell installed by signing in.
      const reader = await person(browser, stack.url, `Reader ${run}`);
      await reader.context.addInitScript(RECORD_FIRST_MESSAGE);
      await shellInstalled(reader.page);
      const cdp = await reader.context.newCDPSession(reader.page);
      if (conditions) await cdp.send("Network.emulateNetworkConditions", conditions);
      cold.push(await open(reader.page, space));
      await kept(reader.page, space);
      revisit.push(await open(reader.page, space));
      await reader.close();
    }
    rows.push(`| ${network} | cold visit (snapshot over HTTP) | ${RUNS} | ${fmt(percentile(cold, 50))} | ${fmt(Math.min(...cold))} | ${fmt(Math.max(...cold))} |`);
    rows.push(`| ${network} | revisit (from IndexedDB) | ${RUNS} | ${fmt(percentile(revisit, 50))} | ${fmt(Math.min(...revisit))} | ${fmt(Math.max(...revisit))} |`);
  }
  console.log(`\nTime to the first message painted, ms from navigation start, ${MESSAGES} messages (load average ${load()}):\n`);
  console.log("| network | visit | runs | median | min | max |\n|---|---|---:|---:|---:|---:|");
  for (const row of rows) console.log(row);
} finally {
  await browser.close();
  await stack.stop();
}
