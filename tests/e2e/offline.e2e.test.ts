// A space opens at once from what the browser kept (IndexedDB), catches up from there, reads offline
// (the service worker keeps the app shell), and the app can be installed. Chromium against the full local stack.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import { chromium, type Page, type Route } from "playwright-core";
import { describe, expect, it } from "vitest";
import type { BeingId } from "../../src/shared/entities.ts";
import { bodies, CHROMIUM_ARGS, CHROMIUM_PATH, connectionIs, inSpace, message, say, shellInstalled, until, useScene, type Person } from "./support.ts";

const scene = useScene();
const { newSpace, join } = scene;

/** Says `text` in `space` as the host, over HTTP; returns the new message's id. */
async function hostSays(space: BeingId, text: string): Promise<string> {
  const reply = await scene.host.request("POST", `/api/spaces/${space}/intentions`, { content: text });
  expect(reply.status).toBe(201);
  return reply.body.intention.id;
}

/** Every IndexedDB database of the page with the number of records in each of its stores. */
function indexedDbContents(page: Page): Promise<Record<string, Record<string, number>>> {
  return page.evaluate(async () => {
    const request = <T,>(r: IDBRequest<T>) =>
      new Promise<T>((resolve, reject) => {
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
    const found: Record<string, Record<string, number>> = {};
    for (const info of await indexedDB.databases()) {
      const db = await request(indexedDB.open(info.name!));
      const stores = [...db.objectStoreNames];
      found[info.name!] = {};
      if (stores.length > 0) {
        const tx = db.transaction(stores);
        for (const store of stores) found[info.name!]![store] = await request(tx.objectStore(store).count());
      }
      db.close();
    }
    return found;
  });
}

/** The seq and message count the page keeps for `space` (undefined while nothing is kept). */
function kept(page: Page, space: BeingId): Promise<{ last: number; messages: number } | undefined> {
  return page.evaluate(async (space) => {
    const request = <T,>(r: IDBRequest<T>) =>
      new Promise<T>((resolve, reject) => {
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
    if (!(await indexedDB.databases()).some((db) => db.name === "spaces-cache")) return undefined;
    const db = await request(indexedDB.open("spaces-cache"));
    try {
      const stored = await request(db.transaction("spaces").objectStore("spaces").get(space));
      return stored && { last: stored.last as number, messages: (stored.order as unknown[]).length };
    } finally {
      db.close();
    }
  }, space);
}

/** Waits until the page keeps `space` with `messages` messages. */
async function keeps(page: Page, space: BeingId, messages: number): Promise<number> {
  let last = -1;
  await until(`the space kept with ${messages} messages`, async () => {
    const state = await kept(page, space);
    last = state?.last ?? -1;
    return state?.messages === messages;
  });
  return last;
}

/** The requests `who` made since `mark` for the space's snapshot, and for its changes. */
function spaceRequests(who: Person, space: BeingId, mark: number) {
  const base = `/api/spaces/${encodeURIComponent(space)}`;
  const since = who.requests.slice(mark).filter((r) => r.method === "GET");
  return {
    snapshots: since.filter((r) => r.path === base),
    changes: since.filter((r) => r.path.startsWith(`${base}/changes?`)).map((r) => r.path),
  };
}

/**
 * A new space named `name` where the host has said `said`, opened by Ada until her browser keeps it
 * with every message; returns the space, Ada, the messages' ids and the seq kept.
 */
async function visited(name: string, said: string[]) {
  const space = await newSpace(name);
  const ids: string[] = [];
  for (const text of said) ids.push(await hostSays(space, text));
  const ada = await join("Ada", space, name);
  await message(ada.page, said[said.length - 1]!).waitFor();
  const seq = await keeps(ada.page, space, said.length);
  return { space, ada, ids, seq };
}

describe("opening a space, even offline", () => {
  it("a revisit paints the kept copy while every API request is held, then converges", async () => {
    const { space, ada } = await visited("Kept", ["first kept", "second kept"]);

    await ada.page.goto("/");
    await inSpace(ada.page, "Intraliminal");
    await hostSays(space, "said while away");

    // Nothing from /api gets through until the kept copy is on screen.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const held: string[] = [];
    await ada.page.route("**/api/**", async (route: Route) => {
      held.push(route.request().url());
      await gate;
      await route.continue();
    });
    const mark = ada.requests.length;
    await ada.page.goto(`/${space}`);
    await inSpace(ada.page, "Kept");
    expect(await bodies(ada.page)).toEqual(["first kept", "second kept"]);
    expect(held.length).toBeGreaterThan(0);

    release();
    await message(ada.page, "said while away").waitFor();
    expect(await bodies(ada.page)).toEqual(["first kept", "second kept", "said while away"]);
    const { snapshots, changes } = spaceRequests(ada, space, mark);
    expect(snapshots).toEqual([]);
    expect(changes.length).toBeGreaterThan(0);
    await ada.page.unroute("**/api/**");
  });

  it("a change made while away (new, edited, deleted) arrives by catch-up from the kept seq, without the snapshot", async () => {
    const {
      space,
      ada,
      ids: [edited, deleted],
      seq,
    } = await visited("Away", ["to be edited", "to be deleted"]);

    await ada.page.goto("/");
    await inSpace(ada.page, "Intraliminal");
    expect((await scene.host.request("PATCH", `/api/intentions/${encodeURIComponent(edited)}`, { content: "edited while away" })).status).toBe(200);
    expect((await scene.host.request("DELETE", `/api/intentions/${encodeURIComponent(deleted)}`)).status).toBe(204);
    await hostSays(space, "new while away");

    const mark = ada.requests.length;
    await ada.page.goto(`/${space}`);
    await inSpace(ada.page, "Away");
    await until("the changes made while away", async () => (await bodies(ada.page)).join("|") === "edited while away|new while away");
    const { snapshots, changes } = spaceRequests(ada, space, mark);
    expect(snapshots).toEqual([]);
    expect(changes[0]).toContain(`after=${seq}`);
  });

  it("signing out leaves nothing readable in IndexedDB", async () => {
    const { ada } = await visited("Private thoughts", ["not for the next person"]);

    await ada.page.getByRole("button", { name: "Sign out" }).click();
    await ada.page.getByLabel("Your name").waitFor();
    // Past the cache's write delay: a write the closing space had pending must not bring anything back.
    await ada.page.waitForTimeout(1_500);
    const contents = await indexedDbContents(ada.page);
    expect(Object.keys(contents)).toContain("spaces-cache");
    for (const stores of Object.values(contents)) for (const count of Object.values(stores)) expect(count).toBe(0);
  });

  it("a visited space reloads offline and reads; what is written offline waits and goes when back", async () => {
    const { space, ada } = await visited("Offline reading", ["read me offline"]);
    // The service worker holds the app shell.
    await shellInstalled(ada.page);

    await ada.setOnline(false);
    const reloaded = await ada.page.reload();
    // The page itself came from the service worker's kept shell: the network is gone.
    expect(reloaded?.fromServiceWorker()).toBe(true);
    await inSpace(ada.page, "Offline reading");
    expect(await bodies(ada.page)).toEqual(["read me offline"]);
    await connectionIs(ada.page, "Offline");

    await say(ada.page, "written offline");
    const row = message(ada.page, "written offline");
    await row.waitFor();
    expect(await row.getAttribute("data-state")).not.toBeNull();

    await ada.setOnline(true);
    await until("the offline message to be confirmed", async () => (await row.getAttribute("data-state")) === null, 30_000);
    const snapshot = await scene.host.request("GET", `/api/spaces/${space}`);
    expect(snapshot.body.intentions.map((i: { content: string[] }) => i.content.join(""))).toContain("written offline");
  }, 120_000);

  it("what a page reloaded offline could not load (the spaces list, the breadcrumb's name) loads once back online", async () => {
    const { ada } = await visited("Recovering", ["read me offline"]);
    await shellInstalled(ada.page);

    await ada.setOnline(false);
    await ada.page.reload();
    await inSpace(ada.page, "Recovering");
    await connectionIs(ada.page, "Offline");
    const spaces = ada.page.getByRole("navigation", { name: "Spaces" });
    await spaces.getByText("Loading…").waitFor();
    // The lobby's name was never fetched: the breadcrumb shows its id meanwhile.
    await ada.page.getByRole("link", { name: "Up to @intraliminal" }).waitFor();

    await ada.setOnline(true);
    // Soon after the browser says it is back, not whenever a backoff next comes round.
    await spaces.getByRole("link", { name: "Recovering" }).waitFor({ timeout: 10_000 });
    await ada.page.getByRole("link", { name: "Up to Intraliminal" }).waitFor({ timeout: 10_000 });
  }, 120_000);

  it("installs the offline shell only once the opened space is on screen and live", async () => {
    const space = await newSpace("Shell later");
    await hostSays(space, "on screen first");
    const context = await scene.browser.newContext({ baseURL: scene.url });
    try {
      const [name, value] = scene.host.cookie!.split(/=(.*)/) as [string, string];
      await context.addCookies([{ name, value, url: scene.url }]);
      // What the page showed when the app asked for its service worker.
      await context.addInitScript(() => {
        const register = ServiceWorkerContainer.prototype.register;
        ServiceWorkerContainer.prototype.register = function (this: ServiceWorkerContainer, ...args: Parameters<typeof register>) {
          (globalThis as { __e2eAtRegister?: unknown }).__e2eAtRegister = {
            // Well before the 10 s at which it goes anyway, whatever the page says.
            beforeTheDeadline: performance.now() < 10_000,
            status: document.querySelector("header [role=status]")?.textContent?.trim(),
            conversationBusy: document.querySelector("[role=log]")?.getAttribute("aria-busy"),
            messages: document.querySelectorAll("[data-testid=message]").length,
          };
          return register.apply(this, args);
        };
      });
      const page = await context.newPage();
      await page.goto(`/${space}`);
      await message(page, "on screen first").waitFor();
      await shellInstalled(page);
      expect(await page.evaluate(() => (globalThis as { __e2eAtRegister?: unknown }).__e2eAtRegister)).toEqual({
        beforeTheDeadline: true,
        status: "Connected",
        conversationBusy: "false",
        messages: 1,
      });
    } finally {
      await context.close();
    }
  }, 120_000);

  it("can be installed: Chromium finds no installability error", async () => {
    // Installability is not judged in an incognito profile (every context of scene.browser): a profile on disk.
    const profile = await mkdtemp(joinPath(tmpdir(), "spaces-install-"));
    const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, baseURL: scene.url });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      const errors: string[] = [];
      page.on("console", (entry) => entry.type() === "error" && errors.push(entry.text()));
      await page.goto("/");
      await page.getByLabel("Your name").waitFor();
      await shellInstalled(page);
      const cdp = await context.newCDPSession(page);
      const manifest = await cdp.send("Page.getAppManifest");
      expect(manifest.errors).toEqual([]);
      const { installabilityErrors } = await cdp.send("Page.getInstallabilityErrors");
      expect(installabilityErrors).toEqual([]);
      expect(errors.filter((error) => /Content Security Policy/i.test(error))).toEqual([]);
    } finally {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    }
  }, 120_000);
});
