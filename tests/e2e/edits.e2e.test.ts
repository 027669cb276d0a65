// Editing and deleting one's own message, in Chromium against the full local stack: both show at once,
// before the server has answered, and both roll back, visibly, when the server refuses them.
import type { Page, Route } from "playwright-core";
import { describe, expect, it } from "vitest";
import { bodies, deleteMessage, editMessage, inSpace, message, say, until, useScene } from "./support.ts";

const scene = useScene();

/** Holds the page's requests to /api/intentions/… until `release` is called (the server has not answered yet). */
async function holdWrites(page: Page): Promise<{ held: () => number; release: () => Promise<void> }> {
  const routes: Route[] = [];
  let holding = true;
  await page.route(/\/api\/intentions\//, (route) => (holding ? void routes.push(route) : route.continue()));
  return {
    held: () => routes.length,
    async release() {
      holding = false;
      await Promise.all(routes.splice(0).map((route) => route.continue()));
    },
  };
}

/** Resolves once the row holding `text` is confirmed: its actions are back, nothing pending. */
async function settled(page: Page, text: string): Promise<void> {
  await message(page, text).getByRole("button", { name: "Edit message" }).waitFor({ state: "attached" });
}

describe("editing and deleting a message", () => {
  it("shows an edit and a delete at once, before the server answers, and keeps them once it has", async () => {
    const space = await scene.newSpace("Quick hands");
    const ada = await scene.join("Ada", space, "Quick hands");
    await say(ada.page, "first words");
    await say(ada.page, "second words");
    await settled(ada.page, "first words");
    await settled(ada.page, "second words");

    const writes = await holdWrites(ada.page);
    await editMessage(ada.page, "first words", "first words, **better**");
    // Shown while the PATCH is still held: nothing from the server yet.
    await message(ada.page, "first words, better").getByText("Saving…").waitFor();
    expect(writes.held()).toBe(1);

    await deleteMessage(ada.page, "second words");
    await message(ada.page, "second words").waitFor({ state: "detached" });
    await until("the DELETE to be held", () => writes.held() === 2);

    await writes.release();
    await settled(ada.page, "first words, better");
    expect(await message(ada.page, "first words, better").getAttribute("data-state")).toBeNull();
    // What the server holds now, as a fresh load shows it.
    await ada.page.reload();
    await message(ada.page, "first words, better").waitFor();
    expect(await message(ada.page, "second words").count()).toBe(0);
  });

  it("rolls back an edit and a delete the server refuses, saying why", async () => {
    const space = await scene.newSpace("Refusals");
    const ada = await scene.join("Ada", space, "Refusals");
    await say(ada.page, "keep these words");
    await settled(ada.page, "keep these words");
    // Ada signs out in another tab: this page still shows the space, but the server no longer knows her.
    const signOut = await ada.context.request.post(`${scene.url}/api/auth/signout`, { headers: { Origin: scene.url } });
    expect(signOut.status()).toBe(204);

    const row = message(ada.page, "keep these words");
    await editMessage(ada.page, "keep these words", "words that will not stay");
    await row.getByRole("alert").filter({ hasText: "Edit not saved:" }).waitFor();
    expect(await message(ada.page, "words that will not stay").count()).toBe(0);
    expect(await row.getAttribute("data-state")).toBe("failed");
    await row.getByRole("button", { name: "Edit again" }).click();
    const editor = ada.page.getByRole("textbox", { name: "Edit message" });
    expect(await editor.inputValue()).toBe("words that will not stay");
    await editor.press("Escape");

    await deleteMessage(ada.page, "keep these words");
    await row.getByRole("alert").filter({ hasText: "Not deleted:" }).waitFor();
    expect(await row.locator(".message-body").innerText()).toBe("keep these words");
  });

  it("when two tabs edit one message, the later save shows both texts and may overwrite; the other tab then shows it", async () => {
    const space = await scene.newSpace("Two tabs");
    const ada = await scene.join("Ada", space, "Two tabs");
    await say(ada.page, "draft words");
    await settled(ada.page, "draft words");
    const other = await ada.context.newPage();
    await other.goto(`/${space}`);
    await inSpace(other, "Two tabs");
    await settled(other, "draft words");

    // This tab starts its edit from the message as it is now…
    const row = message(ada.page, "draft words");
    await row.hover();
    await row.getByRole("button", { name: "Edit message" }).click();
    const editor = ada.page.getByRole("textbox", { name: "Edit message" });
    await editor.fill("words from the first tab");
    // …while the other tab changes it and is saved first.
    await editMessage(other, "draft words", "words from the second tab");
    await settled(other, "words from the second tab");

    await editor.press("Enter");
    const conflict = ada.page.getByRole("group", { name: "Edit conflict" });
    await conflict.waitFor();
    expect(await conflict.locator("dd").allInnerTexts()).toEqual(["words from the second tab", "words from the first tab"]);
    await conflict.getByRole("button", { name: "Overwrite with yours" }).click();
    await conflict.waitFor({ state: "detached" });
    await settled(ada.page, "words from the first tab");
    expect(await bodies(ada.page)).toEqual(["words from the first tab"]);
    // The overwrite reaches the other tab live, as any edit does.
    await message(other, "words from the first tab").waitFor();
    expect(await bodies(other)).toEqual(["words from the first tab"]);
    await other.close();
  });
});
