// Unread, in Chromium against the full local stack: what Bob writes while Ada is elsewhere shows in her space
// list, opening the space draws a New line above it, and reading on one device clears the count on the other,
// live (a personal notice through LiveKit, no reload and well inside the list's one-minute refresh).
import { mkdir } from "node:fs/promises";
import type { Page } from "playwright-core";
import { expect, it } from "vitest";
import { LOBBY_ID, type BeingId } from "../../src/shared/entities.ts";
import { axeViolations, connectionIs, inSpace, live, PHONE, until, useScene, type Person } from "./support.ts";

const scene = useScene();

async function hostSays(space: BeingId, text: string): Promise<void> {
  expect((await scene.host.request("POST", `/api/spaces/${space}/intentions`, { content: text })).status).toBe(201);
}

/** Waits until the page has told the server its read point in `space`. */
async function readPosted(who: Person, space: BeingId): Promise<void> {
  const path = `/api/spaces/${encodeURIComponent(space)}/read`;
  await until(`${who.name}'s read point in ${space}`, () => who.requests.some((r) => r.method === "POST" && r.path === path));
}

/** A new space `name` where the host said `said`, which Ada opened (reading it) and left for the lobby. */
async function readThenAway(name: string, said: string): Promise<{ space: BeingId; ada: Person }> {
  const space = await scene.newSpace(name);
  await hostSays(space, said);
  const ada = await scene.join("Ada", space, name);
  await readPosted(ada, space);
  await ada.visit(LOBBY_ID, "Intraliminal");
  return { space, ada };
}

const spaceList = (page: Page) => page.getByRole("navigation", { name: "Spaces" });

it("shows what Bob wrote while Ada was elsewhere as unread in her list, and a New line above it when she opens the space", async () => {
  const { space, ada } = await readThenAway("Garden", "old news");
  await hostSays(space, "fresh one");
  await hostSays(space, "fresh two");
  // The list is asked again when the page gets the focus (as when Ada comes back to the window).
  await ada.page.evaluate(() => window.dispatchEvent(new Event("focus")));
  const garden = spaceList(ada.page).getByRole("link", { name: /^Garden\W+2 unread$/ });
  await garden.waitFor();
  expect(await axeViolations(ada.page)).toEqual([]);

  await garden.click();
  await inSpace(ada.page, "Garden");
  const line = ada.page.locator(".new-line");
  await line.waitFor();
  expect(await line.evaluate((li) => li.nextElementSibling?.textContent)).toContain("fresh one");
  expect(await line.evaluate((li) => li.previousElementSibling?.textContent)).toContain("old news");
  // Seen, focused: read, and the list says so.
  await spaceList(ada.page).getByRole("link", { name: "Garden", exact: true }).waitFor({ timeout: 10_000 });
  expect(await axeViolations(ada.page)).toEqual([]);
}, 120_000);

it("clears the count on the laptop, live, when the same person reads on the phone", async () => {
  const space = await scene.newSpace("Kitchen");
  await hostSays(space, "dinner at eight");
  const laptop = await scene.join("Ada", space, "Kitchen");
  await readPosted(laptop, space);
  await hostSays(space, "are you there?");
  await laptop.visit(LOBBY_ID, "Intraliminal");
  const kitchen = spaceList(laptop.page).getByRole("link", { name: /^Kitchen\W+1 unread$/ });
  await kitchen.waitFor();
  // The laptop listens in the lobby's room: that is where its notice will come.
  await live(laptop);
  const phoneContext = await scene.browser.newContext({ baseURL: scene.url, viewport: PHONE, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  try {
    await phoneContext.addCookies(await laptop.context.cookies());
    const phone = await phoneContext.newPage();
    await phone.goto(`/${space}`);
    await inSpace(phone, "Kitchen");
    await phone.locator(".new-line").waitFor();
    await connectionIs(phone, "Connected");

    // No reload, no focus, well inside the list's minute: only the personal notice can clear it.
    await spaceList(laptop.page).getByRole("link", { name: "Kitchen", exact: true }).waitFor({ timeout: 15_000 });
    expect(await kitchen.count()).toBe(0);

    await phone.getByRole("button", { name: /^Here/ }).click();
    await spaceList(phone).getByRole("button", { name: "Mute Kitchen" }).click();
    await spaceList(phone).getByRole("button", { name: "Mute Kitchen", pressed: true }).waitFor();
    expect(await axeViolations(phone)).toEqual([]);
    expect(await phone.evaluate(() => document.scrollingElement!.scrollWidth <= innerWidth)).toBe(true);
    await mkdir("test-results/screens", { recursive: true });
    await phone.screenshot({ path: "test-results/screens/unread-phone.png" });
  } finally {
    await phoneContext.close();
  }
}, 120_000);

it("opens a long unread stretch at its New line and marks read only what Ada saw: its first screen read, the rest left unread", async () => {
  const { space, ada } = await readThenAway("Library", "before the stretch");
  const stretch = 60;
  for (let n = 1; n <= stretch; n++) await hostSays(space, `page ${n}`);

  const reads: object[] = [];
  ada.page.on("request", (request) => request.method() === "POST" && request.url().endsWith("/read") && reads.push(request.postDataJSON()));
  // The space opens at the New line (more unread than a screen holds), the end out of view: Ada reads from there.
  await spaceList(ada.page).getByRole("link", { name: /^Library/ }).click();
  await inSpace(ada.page, "Library");
  const line = ada.page.locator(".new-line");
  await until("opened at the New line", async () => {
    if ((await line.count()) === 0) return false;
    const [lineTop, scrollerTop] = await Promise.all([
      line.evaluate((li) => li.getBoundingClientRect().top),
      ada.page.locator(".messages").evaluate((scroller) => scroller.getBoundingClientRect().top),
    ]);
    return Math.abs(lineTop - scrollerTop) < 4;
  });
  expect(await ada.page.locator(".conversation-end").evaluate((end) => end.getBoundingClientRect().top > innerHeight)).toBe(true);

  const unreadNow = async () => {
    const reply = await ada.context.request.get("/api/spaces");
    return ((await reply.json()) as { unread: Record<string, { unread: number }> }).unread[space]!.unread;
  };
  await until("a partial read", async () => (await unreadNow()) < stretch);
  const left = await unreadNow();
  expect(left).toBeGreaterThan(0);
  // Read through a message it saw; never the seq, which would have read the end too.
  expect(reads.length).toBeGreaterThan(0);
  for (const body of reads) {
    expect(body).toHaveProperty("through");
    expect(body).not.toHaveProperty("seq");
  }
}, 120_000);
