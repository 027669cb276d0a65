// Notifications in Chromium against the full local stack: the inbox button counts a mention as it arrives, its inbox
// opens the message; a push delivered to the service worker shows a notification whose click opens the message.
import { mkdir } from "node:fs/promises";
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { mentionNode } from "../../src/shared/content.ts";
import type { BeingId } from "../../src/shared/entities.ts";
import { axeViolations, inSpace, message, shellInstalled, until, useScene } from "./support.ts";

const scene = useScene();
beforeAll(() => mkdir("test-results/screens", { recursive: true }));

const inboxButton = (page: Page) => page.getByRole("button", { name: /^Inbox/ });

describe("the inbox", () => {
  it("counts a mention as it arrives, lists it as text, and opens the message on a phone", async () => {
    const space = await scene.newSpace("Studio <b>bold</b>");
    const bob = await scene.join("Bob", space, "Studio <b>bold</b>", true);
    await expect.poll(() => inboxButton(bob.page).getAttribute("aria-label")).toBe("Inbox");
    const text = `look <img src=x onerror="window.__pwned=1"> `;
    const posted = await scene.host.request("POST", `/api/spaces/${space}/intentions`, { content: [text, mentionNode(bob.id as BeingId, "Bob")] });
    expect(posted.status).toBe(201);
    // Applied live in the open space, the change that mentions Bob makes the bell ask for its count.
    await expect.poll(() => inboxButton(bob.page).getAttribute("aria-label"), { timeout: 20_000 }).toBe("Inbox, 1 unread");

    await inboxButton(bob.page).click();
    const dialog = bob.page.getByRole("dialog", { name: "Inbox" });
    const entry = dialog.getByRole("button", { name: /Host\s*mentioned you in\s*Studio <b>bold<\/b>/ });
    await entry.waitFor();
    expect(await entry.innerText()).toContain(`look <img src=x onerror="window.__pwned=1"> @Bob`);
    expect(await axeViolations(bob.page)).toEqual([]);
    expect(await bob.page.evaluate(() => document.scrollingElement!.scrollWidth <= innerWidth)).toBe(true);
    await bob.page.screenshot({ path: "test-results/screens/inbox.png" });

    await entry.click();
    await until("the address names the message", () => new URL(bob.page.url()).searchParams.get("message") === posted.body.intention.id);
    await expect.poll(() => inboxButton(bob.page).getAttribute("aria-label")).toBe("Inbox");
    expect(await bob.page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
  });
});

describe("a push", () => {
  it("shows a notification in the service worker, whose click takes the open window to the message", async () => {
    const space = await scene.newSpace("Push room");
    const older = await scene.host.request("POST", `/api/spaces/${space}/intentions`, { content: ["the message to open"] });
    const ada = await scene.join("Ada", space, "Push room");
    await ada.context.grantPermissions(["notifications"]);
    await shellInstalled(ada.page);
    // A page that loaded before the worker activated is not its client until it loads again.
    await ada.page.reload();
    await inSpace(ada.page, "Push room");
    await until("the page is controlled", () => ada.page.evaluate(() => navigator.serviceWorker.controller !== null));
    await ada.visit("@intraliminal" as BeingId, "Intraliminal");

    // The push comes through the DevTools protocol (Chromium's pushManager.subscribe needs Google's push service, which
    // cannot be reached here): the worker gets a real, trusted push event with the payload the server sends
    // (its encryption is tested in tests/worker/push.db.test.ts).
    const cdp = await ada.context.newCDPSession(ada.page);
    const registrations = new Promise<{ registrationId: string; scopeURL: string }[]>((resolve) => cdp.once("ServiceWorker.workerRegistrationUpdated", (event) => resolve(event.registrations)));
    await cdp.send("ServiceWorker.enable");
    const [registration] = await registrations;
    const url = `/${space}?message=${encodeURIComponent(older.body.intention.id)}`;
    const payload = { title: "Host mentioned you in Push room", body: "the message to open", url, tag: older.body.intention.id };
    await cdp.send("ServiceWorker.deliverPushMessage", { origin: new URL(scene.url).origin, registrationId: registration!.registrationId, data: JSON.stringify(payload) });

    const shown = () =>
      ada.page.evaluate(async () =>
        (await (await navigator.serviceWorker.getRegistration())!.getNotifications()).map((n) => ({ title: n.title, body: n.body, tag: n.tag, data: n.data as unknown })),
      );
    await expect.poll(shown, { timeout: 10_000 }).toEqual([{ title: payload.title, body: payload.body, tag: payload.tag, data: { url } }]);

    // No protocol command clicks a notification. The click is dispatched in the worker as a NotificationEvent for the
    // notification it showed, which runs the worker's own notificationclick listener: closing the notification and
    // navigating the open window to the message are real; bringing the window forward needs a user's click, which a
    // dispatched event is not, so that part is not shown here.
    const worker = ada.context.serviceWorkers()[0]!;
    await worker.evaluate(async () => {
      // The worker's global scope (lib "webworker" is not this program's).
      const scope = self as unknown as { registration: ServiceWorkerRegistration; dispatchEvent(event: Event): boolean };
      const NotificationEvent = (self as unknown as { NotificationEvent: new (type: string, init: { notification: Notification }) => Event }).NotificationEvent;
      const [notification] = await scope.registration.getNotifications();
      scope.dispatchEvent(new NotificationEvent("notificationclick", { notification: notification! }));
    });
    await until("the window shows the message", () => {
      const shownAt = new URL(ada.page.url());
      return decodeURIComponent(shownAt.pathname) === `/${space}` && shownAt.searchParams.get("message") === older.body.intention.id;
    });
    await inSpace(ada.page, "Push room");
    await message(ada.page, "the message to open").waitFor();
    await expect.poll(shown).toEqual([]);
  });
});

describe("notifications on this device", () => {
  it("offers the switch on the account page of a phone, accessibly and within its width", async () => {
    const pia = await scene.join("Pia", undefined, undefined, true);
    await shellInstalled(pia.page);
    await pia.page.goto("/account");
    const section = pia.page.getByRole("region", { name: "Notifications" });
    await section.getByRole("checkbox", { name: "Notifications on this device" }).waitFor().catch(async (error: Error) => {
      throw new Error(`${error.message}\nthe section says: ${await section.innerText().catch(() => "(no section)")}`);
    });
    expect(await axeViolations(pia.page)).toEqual([]);
    expect(await pia.page.evaluate(() => document.scrollingElement!.scrollWidth <= innerWidth)).toBe(true);
    await section.screenshot({ path: "test-results/screens/account-notifications.png" });
  });
});
