// Managing what one owns and moderating, in Chromium against the full local stack: a space's owner
// renames it and changes its members in the Space settings dialog, and another person's open page shows
// both live (a removed member's page loses the space at once); the owner removes someone else's message;
// a space and a bot are handed over. Every new dialog: axe-core finds nothing serious, and on a phone
// (390x844) it fits the width; screenshots go to test-results/screens/.
import { mkdir } from "node:fs/promises";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import type { BeingId } from "../../src/shared/entities.ts";
import { axeViolations, inSpace, live, message, PHONE, say, until, useScene, type Person } from "./support.ts";

const scene = useScene();

/** A name no other test's person has, so a search by it finds exactly this one. */
const unique = (name: string) => `${name}${Math.random().toString(36).slice(2, 7)}`;

/** Makes a being as `who`, through the browser's own session. */
async function create(who: Person, being: Record<string, unknown>): Promise<{ id: BeingId }> {
  const reply = await who.context.request.post(`${scene.url}/api/beings`, { headers: { Origin: scene.url }, data: being });
  expect(reply.status()).toBe(201);
  return ((await reply.json()) as { being: { id: BeingId } }).being;
}

/** Checks the open dialog with axe, then takes a phone-sized screenshot of it and checks nothing overflows sideways. */
async function checkDialog(page: Page, screen: string): Promise<void> {
  expect(await axeViolations(page)).toEqual([]);
  const size = page.viewportSize();
  await page.setViewportSize(PHONE);
  await mkdir("test-results/screens", { recursive: true });
  await page.screenshot({ path: `test-results/screens/${screen}.png` });
  expect(await page.evaluate(() => document.scrollingElement!.scrollWidth <= innerWidth)).toBe(true);
  if (size) await page.setViewportSize(size);
}

/** Opens the space's settings dialog. */
async function openSettings(page: Page) {
  await page.getByRole("button", { name: "Space settings" }).click();
  const dialog = page.getByRole("dialog", { name: "Space settings" });
  await dialog.waitFor();
  return dialog;
}

describe("managing a space", () => {
  it("a rename and a description are seen live by a member, escaped; a removed member's open page loses the space at once", async () => {
    const olga = await scene.join(unique("Olga"));
    const bob = await scene.join(unique("Bob"));
    const room = await create(olga, { name: "Plans", type: "space", properties: { private: true, members: [bob.id] } });
    await olga.visit(room.id, "Plans");
    await bob.visit(room.id, "Plans");
    await live(olga, bob);
    let alerted = false;
    for (const page of [olga.page, bob.page]) page.on("dialog", (dialog) => ((alerted = true), void dialog.dismiss()));

    const settings = await openSettings(olga.page);
    await checkDialog(olga.page, "space-settings");
    const hostileName = `<img src=x onerror=alert(1)>Plans`;
    const hostileDescription = `<script>alert(2)</script><img src=x onerror=alert(3)> what we plan`;
    await settings.getByLabel("Name").fill(hostileName);
    await settings.getByLabel("Description").fill(hostileDescription);
    await settings.getByRole("button", { name: "Save" }).click();
    await settings.getByText("Saved.").waitFor();

    // Bob's page shows the new name and description as text, live, and runs nothing of them.
    await bob.page.getByRole("heading", { level: 1, name: hostileName, exact: true }).waitFor();
    await bob.page.locator(".space-description").filter({ hasText: hostileDescription }).waitFor();
    expect(await bob.page.locator("header img, .space-description img, .space-description script").count()).toBe(0);
    expect(alerted).toBe(false);

    // Olga takes Bob off the members: the dialog says what that does, and Bob's open page loses the space.
    await settings.getByRole("button", { name: `Remove ${bob.name} from the members` }).click();
    await settings.getByText(`Saving takes the space from ${bob.name} at once`).waitFor();
    await settings.getByRole("button", { name: "Save" }).click();
    await settings.getByText("Saved.").waitFor();
    await bob.page.getByRole("heading", { level: 2, name: "Space not found" }).waitFor({ timeout: 15_000 });
    expect(await bob.page.getByRole("log", { name: "Conversation" }).count()).toBe(0);
    // And he cannot come back by its address.
    await bob.page.reload();
    await bob.page.getByRole("heading", { level: 2, name: "Space not found" }).waitFor();
  });

  it("the space's owner removes someone else's message, which goes from the writer's page live; others are offered nothing", async () => {
    const olga = await scene.join(unique("Olga"));
    const bob = await scene.join(unique("Bob"));
    const room = await create(olga, { name: "Moderated", type: "space" });
    await olga.visit(room.id, "Moderated");
    await bob.visit(room.id, "Moderated");
    await live(olga, bob);
    await say(bob.page, "words to be removed");
    await say(olga.page, "the owner's own words");

    const row = message(olga.page, "words to be removed");
    await row.hover();
    await row.getByRole("button", { name: "Remove message" }).click();
    await row.getByText("Remove this message for everyone?").waitFor();
    expect(await axeViolations(olga.page)).toEqual([]);
    await row.getByRole("button", { name: "Remove", exact: true }).click();
    await message(olga.page, "words to be removed").waitFor({ state: "detached" });
    await message(bob.page, "words to be removed").waitFor({ state: "detached", timeout: 15_000 });

    // Bob may not remove Olga's message: his page offers no way to.
    const hers = message(bob.page, "the owner's own words");
    await hers.hover();
    expect(await hers.getByRole("button", { name: /Remove|Delete/ }).count()).toBe(0);
  });

  it("an owner hands a space over; the new owner's open page offers its settings at once (and deleting it, told first what that does)", async () => {
    const olga = await scene.join(unique("Olga"));
    const bob = await scene.join(unique("Bob"));
    const room = await create(olga, { name: "Heirloom", type: "space" });
    await olga.visit(room.id, "Heirloom");
    await bob.visit(room.id, "Heirloom");
    expect(await bob.page.getByRole("button", { name: "Space settings" }).count()).toBe(0);

    const settings = await openSettings(olga.page);
    await settings.getByLabel("Hand the space over to").fill(bob.name);
    await settings.getByRole("button", { name: `Hand over to ${bob.name}` }).click();
    await settings.getByText(`over to ${bob.name}? They become its owner.`).waitFor();
    expect(await axeViolations(olga.page)).toEqual([]);
    await settings.getByRole("button", { name: "Hand over", exact: true }).click();
    await settings.waitFor({ state: "detached" });

    // Bob's open page learns it, live: the change to the space asks the server what he may do now.
    const his = await openSettings(bob.page);
    await his.getByRole("button", { name: "Delete this space…" }).click();
    await his.getByText("deletes every message in it, for everyone").waitFor();
    await checkDialog(bob.page, "space-delete-confirm");
    await his.getByRole("button", { name: "Delete it" }).click();
    await inSpace(bob.page, "Intraliminal");
  });

  it("a bot's owner moves it to another space and hands it over", async () => {
    const olga = await scene.join(unique("Olga"));
    const bob = await scene.join(unique("Bob"));
    const here = await create(olga, { name: "Workshop", type: "space" });
    const there = await create(olga, { name: "Annex", type: "space" });
    const bot = await create(olga, { name: "Tinker", type: "bot", locationId: here.id, properties: { bot: { model: "m", prompt: "", replyTo: "mentions" } } });
    await olga.visit(here.id, "Workshop");

    await olga.page.getByRole("button", { name: "Move or hand over Tinker" }).click();
    const dialog = olga.page.getByRole("dialog", { name: "Tinker: move or hand over" });
    await dialog.waitFor();
    await checkDialog(olga.page, "bot-settings");
    await dialog.getByLabel("Move it to").selectOption(there.id);
    await dialog.getByRole("button", { name: "Move" }).click();
    await dialog.waitFor({ state: "detached" });

    await olga.visit(there.id, "Annex");
    await olga.page.getByRole("button", { name: "Move or hand over Tinker" }).click();
    await dialog.getByLabel("Hand the bot over to").fill(bob.name);
    await dialog.getByRole("button", { name: `Hand over to ${bob.name}` }).click();
    await dialog.getByRole("button", { name: "Hand over", exact: true }).click();
    await dialog.waitFor({ state: "detached" });
    await until("the bot to be Bob's", async () => {
      const reply = await bob.context.request.get(`${scene.url}/api/beings/${bot.id}`);
      return ((await reply.json()) as { being: { ownerId: string } }).being.ownerId === bob.id;
    });
    await olga.page.getByRole("button", { name: "Move or hand over Tinker" }).waitFor({ state: "detached" });
  });
});
