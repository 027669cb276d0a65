// Keeping one being across browsers, in Chromium against the full local stack: a guest saves itself with a
// passkey (Chromium's virtual authenticator, through the DevTools protocol) or a provider account (the test
// OpenID provider the stack setup starts), and another browser context signs in as the same being.
import type { BrowserContext, CDPSession, Page } from "playwright-core";
import { afterEach, describe, expect, inject, it } from "vitest";
import { message, person, say, useScene, type Person } from "./support.ts";

const scene = useScene();
// WebAuthn refuses IP addresses as relying party ids: these browsers use the stack by host name.
const url = inject("stack").url.replace("127.0.0.1", "localhost");
const opened: { close(): Promise<void> }[] = [];
/** Console errors of the pages this file opens itself (useScene checks only the people it made). */
const consoleErrors: string[] = [];

afterEach(async () => {
  await Promise.all(opened.splice(0).map((o) => o.close().catch(() => undefined)));
  // The provider round trip and the passkey prompts run under the app's CSP: any violation is a failure.
  const violations = consoleErrors.splice(0).filter((error) => /Content Security Policy/i.test(error));
  expect(violations).toEqual([]);
});

/** A platform authenticator with user verification, as a phone or laptop has, attached to `page`. */
async function virtualAuthenticator(page: Page): Promise<{ cdp: CDPSession; authenticatorId: string }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  return { cdp, authenticatorId };
}

/** A fresh browser context at the sign-in page, signed in as nobody. */
async function stranger(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await scene.browser.newContext({ baseURL: url });
  context.setDefaultTimeout(20_000);
  opened.push(context);
  const page = await context.newPage();
  page.on("console", (message) => message.type() === "error" && consoleErrors.push(message.text()));
  await page.goto("/");
  await page.getByRole("button", { name: "Enter as a guest" }).waitFor();
  return { context, page };
}

/** A guest who has said something in a fresh space. */
async function guestWhoSpoke(name: string, words: string): Promise<{ ada: Person; space: string }> {
  const space = await scene.newSpace(`${name}'s room`);
  const ada = await person(scene.browser, url, name, { space, spaceName: `${name}'s room` });
  opened.push({ close: async () => (consoleErrors.push(...ada.errors), await ada.close()) });
  await say(ada.page, words);
  await message(ada.page, words).waitFor();
  return { ada, space };
}

/** Opens the account page from the header. */
async function openAccount(page: Page): Promise<void> {
  await page.getByRole("banner").getByRole("link", { name: "Account" }).click();
  await page.getByRole("heading", { level: 1, name: "Your identity" }).waitFor();
}

/** The message is shown as the viewer's own: its Edit action is there. */
async function ownMessage(page: Page, words: string): Promise<void> {
  const row = message(page, words);
  await row.waitFor();
  await row.hover();
  await row.getByRole("button", { name: "Edit message" }).waitFor();
}

describe("accounts in the browser", () => {
  it("a guest saves itself with a passkey; another browser signs in with it as the same being and its messages are its own", async () => {
    const words = `said before saving ${Date.now()}`;
    const { ada, space } = await guestWhoSpoke("Ada", words);
    const laptop = await virtualAuthenticator(ada.page);
    await openAccount(ada.page);
    await ada.page.getByRole("heading", { name: "Save this identity" }).waitFor();
    await ada.page.getByRole("button", { name: "Create a passkey" }).click();
    await ada.page.getByRole("heading", { name: "Passkeys" }).locator("xpath=..").getByText("Chrome on Linux").waitFor();
    await ada.page.getByRole("heading", { name: "Add a way back in" }).waitFor();
    const { credentials } = await laptop.cdp.send("WebAuthn.getCredentials", { authenticatorId: laptop.authenticatorId });
    expect(credentials).toHaveLength(1);
    expect(credentials[0]!.rpId).toBe("localhost");

    // The same passkey on a second device (as a synced passkey is): another context, another authenticator.
    const phone = await stranger();
    const phoneAuthenticator = await virtualAuthenticator(phone.page);
    await phoneAuthenticator.cdp.send("WebAuthn.addCredential", { authenticatorId: phoneAuthenticator.authenticatorId, credential: credentials[0]! });
    await phone.page.getByRole("button", { name: "Sign in with a passkey" }).click();
    await phone.page.getByRole("textbox", { name: /^Message / }).waitFor();
    const me = await phone.page.evaluate(() => fetch("/api/me").then((r) => r.json()));
    expect(me.being).toMatchObject({ id: ada.id, name: "Ada" });
    await phone.page.goto(`/${space}`);
    await ownMessage(phone.page, words);

    // The laptop sees both devices and signs the phone out.
    await ada.page.reload();
    const devices = ada.page.getByRole("heading", { name: "Signed-in devices" }).locator("xpath=..").getByRole("listitem");
    await expect.poll(() => devices.count(), { timeout: 20_000 }).toBe(2);
    await devices.filter({ hasNotText: "this device" }).getByRole("button", { name: "Sign out" }).click();
    await expect.poll(() => devices.count(), { timeout: 20_000 }).toBe(1);
    await phone.page.reload();
    await phone.page.getByRole("button", { name: "Sign in with a passkey" }).waitFor();
  });

  it("the last passkey cannot be removed: the page says why", async () => {
    const { ada } = await guestWhoSpoke("Bea", "hello");
    await virtualAuthenticator(ada.page);
    await openAccount(ada.page);
    await ada.page.getByRole("button", { name: "Create a passkey" }).click();
    await ada.page.getByRole("button", { name: "Remove" }).click();
    await ada.page.getByRole("alert").filter({ hasText: "at least one way in must remain" }).waitFor();
    await expect.poll(() => ada.page.getByRole("button", { name: "Remove" }).count()).toBe(1);
  });

  it("without WebAuthn the sign-in page says so plainly", async () => {
    const { context, page } = await stranger();
    await context.addInitScript(() => delete (globalThis as { PublicKeyCredential?: unknown }).PublicKeyCredential);
    await page.reload();
    await page.getByRole("button", { name: "Sign in with a passkey" }).click();
    await page.getByRole("alert").filter({ hasText: "This browser cannot use passkeys" }).waitFor();
  });

  it("a guest links a provider account; another browser signs in with it as the same being", async () => {
    const words = `said before linking ${Date.now()}`;
    const { ada, space } = await guestWhoSpoke("Cy", words);
    await openAccount(ada.page);
    await ada.page.getByRole("button", { name: "Link Test ID" }).click();
    // Off to the provider (its pages complete by themselves) and back to the account page.
    await ada.page.waitForURL(/\/account$/);
    await ada.page.getByRole("heading", { name: "Linked accounts" }).waitFor();
    await ada.page.getByRole("listitem").filter({ hasText: "Test ID" }).waitFor();

    const other = await stranger();
    await other.page.getByRole("button", { name: "Sign in with Test ID" }).click();
    await other.page.getByRole("textbox", { name: /^Message / }).waitFor();
    await other.page.goto(`/${space}`);
    await ownMessage(other.page, words);
  });
});
