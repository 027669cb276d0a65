// A bot in the browser: a person makes one with the form, two people ask it, both watch its reply grow
// and end from LiveKit packets alone. The stack's bots stream from the fake provider (tests/setup/stack.ts).
import { mkdir } from "node:fs/promises";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { fakeModel, fakeText } from "../support/fake-model.ts";
import { apiSettled, axeViolations, connectionIs, message, say, until, useScene, type Person } from "./support.ts";

const scene = useScene();

/** What the page shows of the bot's reply: its text and whether it is still streaming. */
function replyOf(page: Page) {
  return message(page, "t1").evaluate((row) => ({
    text: (row.querySelector(".message-body") as HTMLElement | null)?.innerText.trim() ?? "",
    active: row.getAttribute("data-state") === "active",
    stoppable: row.querySelector("button[aria-label='Stop this reply']") !== null,
  }));
}

/** Samples the reply on a page until it ends: every distinct text seen, in order. */
async function watch(page: Page): Promise<string[]> {
  const seen: string[] = [];
  await message(page, "t1").waitFor({ timeout: 20_000 });
  for (;;) {
    const { text, active } = await replyOf(page);
    if (text !== seen.at(-1)) seen.push(text);
    if (!active) return seen;
    await new Promise((resolve) => setTimeout(resolve, 40));
  }
}

describe("a bot in a space", () => {
  it("made with the form; two people watch its reply grow and end, with no /api request while it streams", async () => {
    const space = await scene.newSpace("Bot room");
    const ada = await scene.join("Ada", space, "Bot room");
    const bob = await scene.join("Bob", space, "Bot room");
    await Promise.all([ada, bob].map((p) => connectionIs(p.page, "Connected", 30_000)));

    // Ada makes the bot with the form: the key goes in a password field and is never shown back.
    await ada.page.getByRole("button", { name: "+ New bot" }).click();
    await ada.page.getByLabel("Name", { exact: true }).fill("Sage");
    // The provider's models are offered (listed through the server: the stack sets no key, so "without-key");
    // a pick fills the model field, and free text still goes.
    await ada.page.getByLabel(/Or pick one the provider lists/).selectOption("fake-small");
    expect(await ada.page.getByLabel("Model").inputValue()).toBe("fake-small");
    await ada.page.getByText("No key: this bot cannot answer until it has one.", { exact: false }).waitFor();
    expect(await axeViolations(ada.page)).toEqual([]);
    await ada.page.getByLabel("Model").fill(fakeModel({ tokens: 60, rate: 20 }));
    await ada.page.getByLabel("System prompt").fill("Answer in tokens.");
    await ada.page.getByLabel(/API key/).fill("sk-e2e-secret-key");
    await ada.page.getByRole("button", { name: "Create bot" }).click();
    // Both see it listed with the people, marked as a bot.
    for (const who of [ada, bob]) await who.page.locator(".person", { hasText: "Sage" }).getByText("bot", { exact: true }).waitFor();
    await ada.page.getByRole("button", { name: "Configure Sage" }).click();
    await ada.page.getByText("key set").waitFor();
    expect(await ada.page.getByLabel(/API key/).inputValue()).toBe("");
    await ada.page.getByRole("button", { name: "Cancel" }).click();
    await Promise.all([apiSettled(ada), apiSettled(bob)]);

    await say(bob.page, "Sage, what do you say?");
    await message(ada.page, "Sage, what do you say?").waitFor();
    // From the first reply text on, nothing is fetched: every update arrives as a LiveKit packet.
    await message(ada.page, "t1").waitFor({ timeout: 20_000 });
    await message(bob.page, "t1").waitFor({ timeout: 20_000 });
    const marks = new Map<Person, number>([[ada, ada.requests.length], [bob, bob.requests.length]]);
    const midStream = (async () => {
      await until("the reply to be well under way", async () => (await replyOf(ada.page)).text.includes("t20"), 20_000, 40);
      await mkdir("/tmp/spaces-e2e", { recursive: true });
      await ada.page.screenshot({ path: "/tmp/spaces-e2e/bot-reply-mid-stream.png" });
      return replyOf(ada.page);
    })();
    const [adaSaw, bobSaw, middle] = await Promise.all([watch(ada.page), watch(bob.page), midStream]);

    expect(middle.active).toBe(true);
    // The asker and the bot's owner may stop it while it streams: each sees Stop.
    expect(middle.stoppable).toBe(true);
    for (const seen of [adaSaw, bobSaw]) {
      expect(seen.at(-1)).toBe(fakeText(60).trim());
      // It grew in several visible steps, each extending the one before.
      expect(seen.length).toBeGreaterThanOrEqual(4);
      seen.slice(1).forEach((text, i) => expect(text.startsWith(seen[i]!)).toBe(true));
    }
    for (const [who, mark] of marks) expect(who.requests.slice(mark).filter((r) => r.path.startsWith("/api/"))).toEqual([]);
    // Bob asked, so Bob could have stopped it; once ended nobody can.
    expect(await message(bob.page, "t1").getByRole("button", { name: "Stop this reply" }).count()).toBe(0);
  });

  it("the bot form on a phone: the provider's models to pick from, nothing wider than the screen", async () => {
    const space = await scene.newSpace("Phone bots");
    const pia = await scene.join("Pia", space, "Phone bots", true);
    // On a phone the bots are in the people panel, which slides over the conversation when opened.
    await pia.page.getByRole("button", { name: /^Here/ }).click();
    await pia.page.getByRole("button", { name: "+ New bot" }).click();
    await pia.page.getByLabel(/Or pick one the provider lists/).selectOption("fake-large");
    expect(await pia.page.getByLabel("Model").inputValue()).toBe("fake-large");
    expect(await axeViolations(pia.page)).toEqual([]);
    expect(await pia.page.evaluate(() => document.scrollingElement!.scrollWidth <= innerWidth)).toBe(true);
    await mkdir("test-results/screens", { recursive: true });
    await pia.page.getByRole("form", { name: "New bot" }).screenshot({ path: "test-results/screens/bot-form.png" });
    await pia.page.screenshot({ path: "test-results/screens/bot-form-page.png" });
  });
});
