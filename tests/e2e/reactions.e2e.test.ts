// Reactions, in Chromium against the full local stack: Ada reacts to a message and Bob sees it live,
// with no reload of the conversation; Bob adds the same one (two, including him on his screen), Ada takes
// hers back, and both screens follow. The picker: axe-core finds nothing serious, and on a phone (390x844)
// it fits the width; the screenshot goes to test-results/screens/.
import { mkdir } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { axeViolations, live, message, say, useScene } from "./support.ts";

const scene = useScene();

describe("reactions", () => {
  it("reach the other person live, count who reacted, and toggle off", async () => {
    const space = await scene.newSpace("Applause");
    const [ada, bob] = await Promise.all([scene.join("Ada", space, "Applause"), scene.join("Bob", space, "Applause")]);
    await live(ada, bob);
    await say(ada.page, "we shipped it");
    const adasRow = message(ada.page, "we shipped it");
    const bobsRow = message(bob.page, "we shipped it");
    await bobsRow.waitFor();

    await adasRow.hover();
    await adasRow.getByRole("button", { name: "Add reaction" }).click();
    const picker = adasRow.getByRole("group", { name: "Pick a reaction" });
    await picker.getByRole("button", { name: "React with 🎉" }).waitFor();
    expect(await axeViolations(ada.page)).toEqual([]);
    const before = bob.requests.length;
    await picker.getByRole("button", { name: "React with 🎉" }).click();
    await adasRow.getByRole("button", { name: "🎉 1 reaction, including you" }).waitFor();

    const bobsChip = bobsRow.getByRole("button", { name: "🎉 1 reaction", exact: true });
    await bobsChip.waitFor();
    expect(await bobsChip.getAttribute("aria-pressed")).toBe("false");
    expect(await bobsChip.getAttribute("title")).toBe("Ada");
    // Carried by the message's change: Bob's page loaded neither the space nor its messages again.
    expect(bob.requests.slice(before).filter((r) => r.method === "GET" && /^\/api\/spaces\/[^/]+(\/intentions)?(\?|$)/.test(r.path))).toEqual([]);

    await bobsChip.click();
    await bobsRow.getByRole("button", { name: "🎉 2 reactions, including you" }).waitFor();
    const adasChip = adasRow.getByRole("button", { name: "🎉 2 reactions, including you" });
    await adasChip.waitFor();
    expect(await adasChip.getAttribute("title")).toBe("you and Bob");
    await mkdir("test-results/screens", { recursive: true });
    await ada.page.screenshot({ path: "test-results/screens/reactions.png" });

    await adasChip.click();
    await adasRow.getByRole("button", { name: "🎉 1 reaction", exact: true }).waitFor();
    await bobsRow.getByRole("button", { name: "🎉 1 reaction, including you" }).waitFor();
    expect(await bobsRow.getByRole("button", { name: "🎉 1 reaction, including you" }).getAttribute("title")).toBe("you");
  });

  it("adds any emoji from the picker's field by keyboard, and fits a phone", async () => {
    const space = await scene.newSpace("Any emoji");
    const ada = await scene.join("Ada", space, "Any emoji", true);
    await say(ada.page, "a first message, long enough to wrap on a phone's narrow screen at least once");
    await say(ada.page, "pick something else");
    const row = message(ada.page, "pick something else");
    // A phone has no hover: a tap on the message shows its actions and the add button.
    await row.tap();
    await row.getByRole("button", { name: "Add reaction" }).focus();
    await ada.page.keyboard.press("Enter");
    const field = row.getByRole("textbox", { name: "Any emoji" });
    await field.waitFor();
    await mkdir("test-results/screens", { recursive: true });
    await ada.page.screenshot({ path: "test-results/screens/reaction-picker-phone.png" });
    expect(await ada.page.evaluate(() => document.scrollingElement!.scrollWidth <= innerWidth)).toBe(true);
    expect(await axeViolations(ada.page)).toEqual([]);
    await field.fill("🧑🏽‍🚀");
    await field.press("Enter");
    await row.getByRole("button", { name: "🧑🏽‍🚀 1 reaction, including you" }).waitFor();
    expect(await ada.page.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe("Add reaction");
    // What the server holds, as a fresh load shows it.
    await ada.page.reload();
    await message(ada.page, "pick something else").getByRole("button", { name: "🧑🏽‍🚀 1 reaction, including you" }).waitFor();
  });
});
