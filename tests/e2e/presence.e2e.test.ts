// Presence in Chromium on the full local stack: every tab of a being live at once, who is here now
// and who is away, who is typing, and no serious accessibility violation on any page.
import { mkdir } from "node:fs/promises";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import type { BeingId } from "../../src/shared/entities.ts";
import { apiSettled, axeViolations, connection, connectionIs, inSpace, message, say, useScene, type Person } from "./support.ts";

const scene = useScene();
const { newSpace } = scene;

/** Signs a person in, opens the space and waits until it is live. */
async function join(name: string, space: BeingId, spaceName: string): Promise<Person> {
  const someone = await scene.join(name, space, spaceName);
  await connectionIs(someone.page, "Connected", 30_000);
  await apiSettled(someone);
  return someone;
}

/** The row of `name` in the "Here now" list, or in the "Away" group. */
const hereNow = (page: Page, name: string) => page.getByRole("list", { name: "Here now" }).locator(".person", { hasText: name });
const away = (page: Page, name: string) => page.getByRole("list", { name: "Away" }).locator(".person", { hasText: name });

describe("presence in the browser", () => {
  it("keeps two tabs of one being live at once: both receive, neither falls back to polling", async () => {
    const space = await newSpace("Two tabs");
    const ada = await join("Ada", space, "Two tabs");
    const second = await ada.context.newPage();
    await second.goto(`/${space}`);
    await inSpace(second, "Two tabs");
    await connectionIs(second, "Connected", 30_000);
    const bob = await join("Bob", space, "Two tabs");
    for (let i = 0; i < 3; i++) {
      await say(bob.page, `to both tabs ${i}`);
      await Promise.all([message(ada.page, `to both tabs ${i}`).waitFor(), message(second, `to both tabs ${i}`).waitFor()]);
    }
    expect(await connection(ada.page).innerText()).toContain("Connected");
    expect(await connection(second).innerText()).toContain("Connected");
    // Bob sees Ada once, online, whatever number of tabs she has.
    await hereNow(bob.page, "Ada").getByRole("img", { name: "online" }).waitFor();
    expect(await hereNow(bob.page, "Ada").count()).toBe(1);
  });

  it("shows who is here now, and folds someone who left into the away group", async () => {
    const space = await newSpace("Comings and goings");
    const ada = await join("Ada", space, "Comings and goings");
    const bob = await join("Bob", space, "Comings and goings");
    const cy = await join("Cy", space, "Comings and goings");
    await hereNow(ada.page, "Bob").getByRole("img", { name: "online" }).waitFor({ timeout: 10_000 });
    await bob.close();
    await ada.page.getByText("Away · 1").waitFor({ timeout: 15_000 });
    expect(await hereNow(ada.page, "Bob").count()).toBe(0);
    await ada.page.getByText("Away · 1").click();
    await away(ada.page, "Bob").getByRole("img", { name: "away" }).waitFor();
    expect(await ada.page.locator("#people-title .count").innerText()).toBe("2");
    await cy.page.getByRole("textbox", { name: "Message Comings and goings" }).pressSequentially("on my way");
    await ada.page.getByText("Cy is typing…").waitFor({ timeout: 10_000 });
    await mkdir("test-results/screenshots", { recursive: true });
    await ada.page.screenshot({ path: "test-results/screenshots/here-panel.png" });
  });

  it("shows who is typing, and clears it on send and on leaving the box", async () => {
    const space = await newSpace("Typing");
    const ada = await join("Ada", space, "Typing");
    const bob = await join("Bob", space, "Typing");
    const box = bob.page.getByRole("textbox", { name: "Message Typing" });
    const mark = bob.requests.length;
    await box.pressSequentially("hello the");
    await ada.page.getByText("Bob is typing…").waitFor({ timeout: 10_000 });
    expect(bob.requests.slice(mark)).toEqual([]); // an attribute on the LiveKit connection, no HTTP request
    await box.press("Enter");
    await ada.page.getByText("Bob is typing…").waitFor({ state: "detached", timeout: 10_000 });
    await box.pressSequentially("more");
    await ada.page.getByText("Bob is typing…").waitFor({ timeout: 10_000 });
    await box.blur();
    await ada.page.getByText("Bob is typing…").waitFor({ state: "detached", timeout: 10_000 });
    // Nobody is told about their own typing.
    expect(await bob.page.getByText(/is typing/).count()).toBe(0);
  });
});

describe("accessibility (axe-core)", () => {
  it("finds none on the sign-in page, a space, a private space and the not-found page", async () => {
    const context = await scene.browser.newContext({ baseURL: scene.url });
    try {
      const page = await context.newPage();
      await page.goto("/");
      await page.getByLabel("Your name").waitFor();
      expect(await axeViolations(page)).toEqual([]);
    } finally {
      await context.close();
    }
    const space = await newSpace("Accessible");
    const ada = await join("Ada", space, "Accessible");
    await say(ada.page, "A message with *markdown* and a [link](https://example.org)");
    await message(ada.page, "A message with").waitFor();
    expect(await axeViolations(ada.page)).toEqual([]);

    const hidden = await newSpace("Hidden room", { private: true, members: [ada.id] });
    await ada.visit(hidden, "Hidden room");
    expect(await axeViolations(ada.page)).toEqual([]);

    await ada.page.goto("/@no-such-space");
    await ada.page.getByRole("heading", { name: "Space not found" }).waitFor();
    expect(await axeViolations(ada.page)).toEqual([]);
    // A space that is not there has no connection to report (give a reconnect attempt time to show).
    await ada.page.waitForTimeout(1_500);
    expect(await ada.page.getByText("Reconnecting…").count()).toBe(0);
    expect(await connection(ada.page).count()).toBe(0);
  });
});
