// Mentions and replies, in Chromium against the full local stack: `@` then the keyboard makes a mention that
// the other person sees live as a chip (their message marked); a reply to a message older than the first page
// quotes it, and selecting the quote brings it back into view. axe-clean, and no sideways scrolling on a phone.
import { mkdir } from "node:fs/promises";
import type { Page } from "playwright-core";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { BeingId } from "../../src/shared/entities.ts";
import { axeViolations, live, message, messages, useScene } from "./support.ts";

const scene = useScene();
const database = new pg.Client({ connectionString: inject("stack").databaseUrl });
beforeAll(async () => {
  await database.connect();
  await mkdir("test-results/screens", { recursive: true });
});
afterAll(() => database.end());

const box = (page: Page) => page.getByRole("textbox", { name: /^Message / });
/** The row whose own text (not a quote of it) says "the original plan". */
const originalRow = (page: Page) => messages(page).filter({ has: page.locator(".message-body", { hasText: "the original plan" }) });
const fitsWidth = (page: Page) => page.evaluate(() => document.scrollingElement!.scrollWidth <= innerWidth);

describe("mentions", () => {
  it("@ then the keyboard picks a being here; both see a chip, and the one mentioned sees the message marked", async () => {
    const name = `Mentions ${crypto.randomUUID().slice(0, 8)}`;
    const space = await scene.newSpace(name);
    const ada = await scene.join("Ada", space, name);
    const bob = await scene.join("Bobbie", space, name);
    await live(ada, bob);

    await box(ada.page).click();
    await box(ada.page).pressSequentially("look @Bob");
    const list = ada.page.getByRole("listbox", { name: "Mention someone" });
    await list.getByRole("option", { name: "Bobbie" }).waitFor();
    expect(await box(ada.page).getAttribute("aria-activedescendant")).toBe(await list.getByRole("option").first().getAttribute("id"));
    expect(await axeViolations(ada.page)).toEqual([]);
    await box(ada.page).press("Enter");
    expect(await box(ada.page).inputValue()).toBe("look @Bobbie ");
    await box(ada.page).pressSequentially("<b>here</b>");
    await box(ada.page).press("Enter");

    for (const page of [ada.page, bob.page]) await message(page, "look").getByRole("button", { name: "@Bobbie" }).waitFor();
    const seen = message(bob.page, "look");
    expect(await seen.locator(".mention.me").count()).toBe(1);
    expect(await seen.locator(".mentions-me").count()).toBe(1);
    expect(await seen.innerText()).toContain("<b>here</b>");
    expect(await message(ada.page, "look").locator(".mentions-me").count()).toBe(0);
    const stored = await database.query<{ mentions: string[] }>("SELECT mentions FROM intentions WHERE location_id = $1", [space]);
    expect(stored.rows).toEqual([{ mentions: [bob.id] }]);

    await seen.getByRole("button", { name: "@Bobbie" }).click();
    await bob.page.getByRole("dialog").waitFor();
    expect(await axeViolations(bob.page)).toEqual([]);
  });
});

describe("replies", () => {
  it("quotes an original older than the first page; selecting the quote loads history back to it; on a phone too", async () => {
    const name = `Replies ${crypto.randomUUID().slice(0, 8)}`;
    const space: BeingId = await scene.newSpace(name);
    const prefix = `old${crypto.randomUUID().slice(0, 8)}`;
    // 150 messages, one second apart, straight into the database (more than the write limit allows): the 10th is far back.
    await database.query(
      `INSERT INTO intentions (id, owner_id, location_id, content, created_at, modified_at)
       SELECT '/' || $1 || '-' || n, $2, $3, jsonb_build_array(CASE WHEN n = 10 THEN 'the original plan' ELSE 'filler ' || n END),
              now() - (151 - n) * interval '1 second', now() - (151 - n) * interval '1 second'
       FROM generate_series(1, 150) AS n`,
      [prefix, scene.host.id, space],
    );
    const original = `/${prefix}-10`;
    const pia = await scene.join("Pia", space, name, true);
    await live(pia);
    expect(await originalRow(pia.page).count()).toBe(0);

    // Reached as a search result is, then answered.
    await pia.page.goto(`/${space}?message=${encodeURIComponent(original)}`);
    const row = originalRow(pia.page);
    await row.waitFor();
    // Once its highlight (a moment's, as for a search result) has faded.
    await expect.poll(() => row.evaluate((element) => element.classList.contains("found")), { timeout: 10_000 }).toBe(false);
    // A phone has no hover: a tap on the message shows its actions.
    await row.tap();
    await row.getByRole("button", { name: "Reply to message" }).click();
    await pia.page.locator(".replying-to", { hasText: "Replying to Host: the original plan" }).waitFor();
    expect(await fitsWidth(pia.page)).toBe(true);
    expect(await axeViolations(pia.page)).toEqual([]);
    await pia.page.screenshot({ path: "test-results/screens/reply-bar-phone.png" });
    await box(pia.page).fill("agreed, let us do it");
    await box(pia.page).press("Enter");
    await expect.poll(async () => (await database.query("SELECT 1 FROM intentions WHERE location_id = $1 AND reply_to = $2", [space, original])).rowCount).toBe(1);

    // Someone who arrives now holds only the newest page: the quote asks for its original, and selecting it goes back there.
    const ken = await scene.join("Ken", space, name, true);
    const reply = message(ken.page, "agreed, let us do it");
    const quote = reply.getByRole("button", { name: "In reply to Host: the original plan" });
    await quote.waitFor();
    expect(await originalRow(ken.page).count()).toBe(0);
    expect(await fitsWidth(ken.page)).toBe(true);
    await ken.page.screenshot({ path: "test-results/screens/reply-quote-phone.png" });
    await quote.click();
    const found = originalRow(ken.page);
    await found.waitFor();
    await expect.poll(() => found.evaluate((element) => element.classList.contains("found"))).toBe(true);
    await expect.poll(() => found.isVisible()).toBe(true);
    await expect.poll(() => found.evaluate((element) => element.classList.contains("found")), { timeout: 10_000 }).toBe(false);
    expect(await axeViolations(ken.page)).toEqual([]);

    // The original deleted: the quote says so, live.
    await live(ken);
    expect((await scene.host.request("DELETE", `/api/intentions/${encodeURIComponent(original)}`)).status).toBe(204);
    await message(ken.page, "agreed, let us do it").getByText("Original message deleted").waitFor();
  });
});
