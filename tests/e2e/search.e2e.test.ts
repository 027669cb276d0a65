// Finding things, in Chromium against the full local stack: the Go to… dialog opens a space by its name, and a
// message search opens a message from far back in its space (older than the first 100 loaded) with its
// neighbours; a private space is nowhere in it for a non-member; markup in a name or a message shows as text.
import { mkdir } from "node:fs/promises";
import type { Page } from "playwright-core";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { BeingId } from "../../src/shared/entities.ts";
import { axeViolations, inSpace, message, useScene } from "./support.ts";

const scene = useScene();
const database = new pg.Client({ connectionString: inject("stack").databaseUrl });
beforeAll(() => database.connect());
afterAll(() => database.end());

/** Letters only, so the search parser keeps it one word, and no other test's word. */
const unique = () => `w${Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) => String.fromCharCode(97 + (b % 26))).join("")}`;

/** Writes `texts` into the space as the host's, one second apart, oldest first (straight into the database: more than the write limit allows). */
async function seed(space: BeingId, texts: string[]): Promise<void> {
  const prefix = unique();
  await database.query(
    `INSERT INTO intentions (id, owner_id, location_id, content, created_at)
     SELECT '/' || $1 || '-' || n, $2, $3, jsonb_build_array(t), now() - ($4 - n) * interval '1 second'
     FROM unnest($5::text[]) WITH ORDINALITY AS x(t, n)`,
    [prefix, scene.host.id, space, texts.length, texts],
  );
}

const dialog = (page: Page) => page.getByRole("dialog", { name: "Go to…" });

/** Opens the dialog with the shortcut and types `text` into it. */
async function find(page: Page, text: string): Promise<void> {
  await page.keyboard.press("Control+k");
  await dialog(page).getByRole("combobox").fill(text);
}

/** The text of each option the dialog lists now. */
const options = (page: Page) => dialog(page).getByRole("option").allInnerTexts();

describe("the Go to… dialog", () => {
  it("opens a space by name, and a message from far back with its neighbours, markup shown as text", async () => {
    const word = unique();
    const name = `Archive ${word} <img src=x onerror=alert(1)>`;
    const archive = await scene.newSpace(name);
    const needle = unique();
    const texts = Array.from({ length: 150 }, (_, n) => `line ${n + 1} of the archive`);
    texts[19] = `${needle} <img src=x onerror="window.__pwned=1"> in the haystack`;
    await seed(archive, texts);
    const ada = await scene.join("Ada");

    await find(ada.page, word);
    await dialog(ada.page).getByRole("option", { name: new RegExp(`Archive ${word}`) }).waitFor();
    expect(await options(ada.page)).toContain(`${name}\nSpace`);
    expect(await axeViolations(ada.page)).toEqual([]);
    await ada.page.keyboard.press("Enter");
    await inSpace(ada.page, name);
    expect(new URL(ada.page.url()).pathname).toBe(`/${archive}`);

    await find(ada.page, needle);
    await dialog(ada.page).getByRole("option", { name: `Search messages for “${needle}”` }).click();
    const hit = dialog(ada.page).getByRole("option").first();
    await hit.locator("mark", { hasText: needle }).waitFor();
    expect(await hit.innerText()).toContain(`<img src=x onerror="window.__pwned=1">`);
    expect(await hit.innerText()).toContain(name);
    expect(await dialog(ada.page).locator("img").count()).toBe(0);
    expect(await axeViolations(ada.page)).toEqual([]);
    await ada.page.keyboard.press("Enter");

    await ada.page.waitForURL((url) => url.searchParams.get("message") !== null);
    const row = message(ada.page, `${needle}`);
    await expect.poll(() => row.evaluate((element) => element.classList.contains("found"))).toBe(true);
    await expect.poll(() => row.isVisible()).toBe(true);
    for (const neighbour of ["line 19 of the archive", "line 21 of the archive"]) await message(ada.page, neighbour).waitFor();
    expect(await ada.page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();
    // Focus came back to the page, and the dialog is gone.
    expect(await dialog(ada.page).count()).toBe(0);
  });

  it("never shows a private space or its messages to someone who is not a member", async () => {
    const word = unique();
    const vault = await scene.newSpace(`Vault ${word}`, { private: true, members: [] });
    await seed(vault, [`${word} secret plans`]);
    const bob = await scene.join("Bob");

    const names = bob.page.waitForResponse((r) => r.url().includes("/api/search/beings"));
    await find(bob.page, word);
    await names;
    await expect.poll(() => options(bob.page)).toEqual([`Search messages for “${word}”`]);
    const found = bob.page.waitForResponse((r) => r.url().includes("/api/search/intentions"));
    await bob.page.keyboard.press("Enter");
    const answer = await (await found).text();
    expect(answer).not.toContain(vault);
    expect(answer).not.toContain("secret");
    await dialog(bob.page).getByText(`No messages found for “${word}”.`).waitFor({ state: "attached" });
    expect(await options(bob.page)).toEqual([]);
    await bob.page.keyboard.press("Escape");
    expect(await dialog(bob.page).count()).toBe(0);
  });

  it("fits a phone: the results without sideways scrolling (screenshot)", async () => {
    const word = unique();
    const room = await scene.newSpace(`Phone ${word}`);
    await seed(room, [`${word} ${"a-rather-long-unbroken-word-".repeat(4)} and more`, `${word} again`]);
    const carol = await scene.join("Carol", undefined, undefined, true);
    await carol.page.getByRole("button", { name: "Go to…" }).click();
    await dialog(carol.page).getByRole("combobox").fill(word);
    await dialog(carol.page).getByRole("option", { name: `Search messages for “${word}”` }).click();
    await dialog(carol.page).locator("mark").first().waitFor();
    expect(await axeViolations(carol.page)).toEqual([]);
    await mkdir("test-results/screens", { recursive: true });
    await carol.page.screenshot({ path: "test-results/screens/finder.png" });
    const widths = await carol.page.evaluate(() => ({ scroll: document.scrollingElement!.scrollWidth, window: innerWidth }));
    expect(widths.scroll).toBeLessThanOrEqual(widths.window);
  });
});
