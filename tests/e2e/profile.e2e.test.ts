// Issue 19's reader-side items in Chromium: GitHub-flavoured Markdown (and what it must never run), the
// profile card opened from a message and from who is here, and jumping to the newest message.
import { mkdir } from "node:fs/promises";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import type { BeingId } from "../../src/shared/entities.ts";
import { axeViolations, connectionIs, live, message, messages, useScene } from "./support.ts";

const scene = useScene();
const { newSpace, join } = scene;

/** Says `text` in `space` as the host, over HTTP. */
async function hostSays(space: BeingId, text: string): Promise<void> {
  expect((await scene.host.request("POST", `/api/spaces/${space}/intentions`, { content: text })).status).toBe(201);
}

/** Saves a screenshot of the page as test-results/screens/<name>.png, after checking it is no wider than its window. */
async function screen(page: Page, name: string): Promise<void> {
  expect(await page.evaluate(() => document.scrollingElement!.scrollWidth <= innerWidth)).toBe(true);
  await mkdir("test-results/screens", { recursive: true });
  await page.screenshot({ path: `test-results/screens/${name}.png` });
}

/** Set by any script the message managed to run. */
const xss = (page: Page) => page.evaluate(() => (globalThis as { __xss?: unknown }).__xss);

const GFM = [
  "| name | a rather long column heading | another long heading to scroll | and one more |",
  "|---|---|---|---|",
  "| <img src=x onerror=\"window.__xss='cell'\"> | ~~struck~~ | `code` | https://example.com/in-a-cell |",
  "",
  "~~gone~~ still here",
  "",
  "- [x] done",
  "- [ ] to do",
  "",
  "See https://example.com/docs and www.example.org, or [this](javascript:window.__xss='link') and <javascript:window.__xss='auto'>.",
  "",
  "<script>window.__xss = 'script'</script>",
  "",
  "<img src=x onerror=\"window.__xss='img'\">",
  "",
  "A claim[^1].",
  "",
  "[^1]: Its source.",
  "",
  "```",
  `const line = "${"x".repeat(200)}";`,
  "    indented   as written",
  "```",
].join("\n");

describe("GitHub-flavoured Markdown", () => {
  it("renders tables, strikethrough, task lists, autolinks, footnotes and code, runs no script, and keeps the phone's page its width", async () => {
    const space = await newSpace("Markdown");
    await hostSays(space, GFM);
    const ada = await join("Ada", space, "Markdown", true);
    const row = message(ada.page, "still here");
    await row.locator("table").waitFor();
    expect(await row.locator("th").allTextContents()).toEqual(["name", "a rather long column heading", "another long heading to scroll", "and one more"]);
    expect(await row.locator("del").allTextContents()).toEqual(["struck", "gone"]);
    expect(await row.locator("input[type=checkbox]").evaluateAll((boxes) => boxes.map((box) => [(box as HTMLInputElement).checked, (box as HTMLInputElement).disabled]))).toEqual([
      [true, true],
      [false, true],
    ]);
    const docs = row.getByRole("link", { name: "https://example.com/docs" });
    expect([await docs.getAttribute("href"), await docs.getAttribute("target"), await docs.getAttribute("rel")]).toEqual([
      "https://example.com/docs",
      "_blank",
      "noopener noreferrer nofollow",
    ]);
    expect(await row.getByRole("link", { name: "www.example.org" }).getAttribute("href")).toBe("http://www.example.org");
    // No element the attempts wrote exists, and no link goes to javascript:.
    expect(await row.locator("script, img, iframe").count()).toBe(0);
    expect(await row.locator("a").evaluateAll((links) => links.map((a) => a.getAttribute("href") ?? "").filter((href) => /^\s*javascript:/i.test(href)))).toEqual([]);
    await row.getByText("this", { exact: true }).click();
    expect(await xss(ada.page)).toBeUndefined();
    // The footnote's link stays in the page.
    expect(await row.locator("a[data-footnote-ref]").getAttribute("target")).toBeNull();
    // The code keeps its lines and spaces and scrolls inside its block; the table scrolls inside the message.
    const code = row.locator("pre");
    expect(await code.innerText()).toContain("    indented   as written");
    const scrolls = (element: Element) => element.scrollWidth > element.clientWidth;
    expect(await code.evaluate(scrolls)).toBe(true);
    expect(await row.locator("table").evaluate(scrolls)).toBe(true);
    expect(await axeViolations(ada.page)).toEqual([]);
    await screen(ada.page, "gfm-phone");
    expect(await xss(ada.page)).toBeUndefined();
  }, 90_000);
});

describe("the profile card", () => {
  it("opens from a message's author and from who is here, says who owns a bot, closes on Esc and passes axe", async () => {
    const space = await newSpace("Profiles");
    const bot = await scene.host.request("POST", "/api/beings", {
      name: "Helper <b>bot</b>",
      type: "bot",
      locationId: space,
      properties: { bot: { model: "llama3.2", prompt: "Be brief." } },
    });
    expect(bot.status).toBe(201);
    await hostSays(space, "hello from the host");
    const ada = await join("Ada", space, "Profiles", true);
    const page = ada.page;

    // From a message: its author's name.
    const author = message(page, "hello from the host").getByRole("button", { name: "Host" });
    await author.click();
    const card = page.getByRole("dialog", { name: "Host" });
    await card.waitFor();
    await card.getByText("person", { exact: true }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await screen(page, "profile-card-phone");
    await page.keyboard.press("Escape");
    await card.waitFor({ state: "detached" });
    expect(await author.evaluate((button) => button === document.activeElement)).toBe(true);

    // From who is here: the bot, configured by the host.
    await page.getByRole("button", { name: /^Here/ }).click();
    await page.getByRole("list", { name: "Here now" }).getByRole("button", { name: "Helper <b>bot</b>" }).click();
    const botCard = page.getByRole("dialog", { name: "Helper <b>bot</b>" });
    await botCard.getByText("Configured by").waitFor();
    expect(await botCard.locator("dd").allInnerTexts()).toEqual(["llama3.2", "Host", "Profiles", bot.body.being.id]);
    expect(await botCard.locator("b").count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    await page.keyboard.press("Escape");
    await botCard.waitFor({ state: "detached" });

    // My own card leads to my account page.
    await page.getByRole("list", { name: "Here now" }).getByRole("button", { name: "Ada" }).click();
    const mine = page.getByRole("dialog", { name: "Ada" });
    await mine.getByRole("link", { name: "Profiles" }).waitFor();
    await mine.getByRole("link", { name: "Your account" }).click();
    await page.getByRole("heading", { level: 1, name: "Your identity" }).waitFor();
    expect(await page.getByRole("dialog").count()).toBe(0);
  }, 90_000);
});

describe("jump to newest", () => {
  it("counts what arrives while I read history, and takes me down to it", async () => {
    const space = await newSpace("Long talk");
    for (let i = 0; i < 8; i++) await hostSays(space, Array.from({ length: 8 }, (_, line) => `message ${i} line ${line}`).join("\n"));
    const ada = await join("Ada", space, "Long talk", true);
    await live(ada);
    const log = ada.page.getByRole("log", { name: "Conversation" });
    await message(ada.page, "message 7 line 7").waitFor();
    // Up in the history.
    await log.evaluate((element) => (element.scrollTop = 0));
    await ada.page.waitForTimeout(300);
    await hostSays(space, "news one");
    await hostSays(space, "news two");
    const jump = ada.page.getByRole("button", { name: "Jump to newest (2 new)" });
    await jump.waitFor();
    expect(await axeViolations(ada.page)).toEqual([]);
    await screen(ada.page, "jump-to-newest-phone");
    await jump.click();
    await jump.waitFor({ state: "detached" });
    await connectionIs(ada.page, "Connected");
    await expect.poll(() => messages(ada.page).last().evaluate((row) => row.getBoundingClientRect().bottom <= innerHeight)).toBe(true);
    await expect.poll(() => log.evaluate((element) => element.scrollHeight - element.scrollTop - element.clientHeight)).toBeLessThan(2);
  }, 90_000);
});
