// "Notifications on this device" on the account page. Chromium's real pushManager.subscribe needs Google's push
// service, which these machines cannot reach: so the browser's side (service worker registration, PushManager,
// Notification permission) is a stand-in here, and what is tested is the section's path through it: asking
// permission, subscribing with the server's VAPID key, telling the server, the kinds, and the clear states.
import "@testing-library/jest-dom/vitest";
import { cleanup, fireEvent, render, screen, waitFor } from "@solidjs/testing-library";
import { afterEach, describe, expect, it, vi } from "vitest";
import { toBase64url } from "../../src/shared/signing.ts";
import { NotificationsSection } from "../../src/web/account/notifications-section.tsx";
import { fakeServer, json } from "./support/fake-server.ts";

const KEY = "BEl62iUYgUivxIkv69yViEuiBIa-Ib9-SkvMeAtA3LFgDzkrxZJjSgSnfckjBJuBkr3qBUYIHBQFLXYp5Nksh8U";
const JSON_SUBSCRIPTION = { endpoint: "https://push.example.com/abc", keys: { p256dh: "p".repeat(87), auth: "a".repeat(22) } };

/** The browser's side: a registration whose PushManager subscribes, and Notification with `permission`, answering `answer`. */
function browser(permission: NotificationPermission, answer: NotificationPermission = permission, { worker = true } = {}) {
  let held: { toJSON(): unknown; unsubscribe(): Promise<boolean> } | null = null;
  const pushManager = {
    getSubscription: vi.fn(async () => held),
    subscribe: vi.fn(async () => {
      held = { toJSON: () => JSON_SUBSCRIPTION, unsubscribe: vi.fn(async () => ((held = null), true)) };
      return held;
    }),
  };
  const notification = { permission, requestPermission: vi.fn(async () => ((notification.permission = answer), answer)) };
  vi.stubGlobal("Notification", notification);
  vi.stubGlobal("PushManager", function PushManager() {});
  Object.defineProperty(navigator, "serviceWorker", { configurable: true, value: { getRegistration: async () => (worker ? { pushManager } : undefined) } });
  return { pushManager, notification };
}

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
  delete (navigator as { serviceWorker?: unknown }).serviceWorker;
});

describe("notifications on this device", () => {
  it("asks permission, subscribes with the server's key, tells the server; then sets kinds and turns off", async () => {
    const { pushManager, notification } = browser("default", "granted");
    let kinds = ["mention", "reply", "bot_reply"];
    const server = fakeServer({
      "GET /api/push/key": () => json({ publicKey: KEY }),
      "GET /api/push/subscription": () => json({ subscription: null }),
      "PUT /api/push/subscription": () => json({ subscription: { kinds } }),
      "PATCH /api/push/subscription": (call) => json({ subscription: { kinds: (kinds = (call.body as { kinds: string[] }).kinds) } }),
      "DELETE /api/push/subscription": () => new Response(null, { status: 204 }),
    });
    render(() => <NotificationsSection />);
    const toggle = await screen.findByRole("checkbox", { name: "Notifications on this device" });
    expect(toggle).not.toBeChecked();
    fireEvent.click(toggle);
    await screen.findByRole("group", { name: "Send me" });
    expect(notification.requestPermission).toHaveBeenCalledOnce();
    const [options] = pushManager.subscribe.mock.calls[0] as unknown as [{ userVisibleOnly: boolean; applicationServerKey: Uint8Array }];
    expect(options.userVisibleOnly).toBe(true);
    expect(toBase64url(options.applicationServerKey)).toBe(KEY);
    expect(server.callsTo("PUT /api/push/subscription")[0]!.body).toEqual(JSON_SUBSCRIPTION);
    expect(toggle).toBeChecked();

    fireEvent.click(screen.getByRole("checkbox", { name: "Replies to my messages" }));
    await waitFor(() => expect(server.callsTo("PATCH /api/push/subscription")[0]?.body).toEqual({ kinds: ["mention", "bot_reply"] }));
    await waitFor(() => expect(screen.getByRole("checkbox", { name: "Replies to my messages" })).not.toBeChecked());

    await waitFor(() => expect(toggle).not.toBeDisabled());
    fireEvent.click(toggle);
    await waitFor(() => expect(server.callsTo("DELETE /api/push/subscription")).toHaveLength(1));
    await waitFor(() => expect(screen.queryByRole("group", { name: "Send me" })).toBeNull());
    expect(await pushManager.getSubscription()).toBeNull();
  });

  it("shows this device subscribed with its kinds when browser and server both hold it", async () => {
    const { pushManager } = browser("granted");
    await pushManager.subscribe();
    fakeServer({ "GET /api/push/key": () => json({ publicKey: KEY }), "GET /api/push/subscription": () => json({ subscription: { kinds: ["mention"] } }) });
    render(() => <NotificationsSection />);
    expect(await screen.findByRole("checkbox", { name: "Notifications on this device" })).toBeChecked();
    expect(screen.getByRole("checkbox", { name: "Mentions of me" })).toBeChecked();
    expect(screen.getByRole("checkbox", { name: "Bots' answers to me" })).not.toBeChecked();
  });

  it("says so when permission is refused, push is unsupported, or the server sends none", async () => {
    browser("default", "denied");
    fakeServer({ "GET /api/push/key": () => json({ publicKey: KEY }), "GET /api/push/subscription": () => json({ subscription: null }) });
    render(() => <NotificationsSection />);
    fireEvent.click(await screen.findByRole("checkbox", { name: "Notifications on this device" }));
    expect(await screen.findByText(/Notifications are blocked for this site/)).toBeInTheDocument();
    cleanup();

    browser("default", "default", { worker: false });
    render(() => <NotificationsSection />);
    expect(await screen.findByText(/This browser cannot show notifications/)).toBeInTheDocument();
    cleanup();

    browser("default");
    fakeServer({ "GET /api/push/key": () => json({ publicKey: null }) });
    render(() => <NotificationsSection />);
    expect(await screen.findByText("This server does not send notifications.")).toBeInTheDocument();
  });
});
