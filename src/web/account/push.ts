/**
 * This device's Web Push: what the browser can do (service worker, PushManager, permission), its subscription with
 * the server's VAPID key, and the server's record of it (GET/PUT/PATCH/DELETE /api/push/subscription).
 */
import type { NotificationKind } from "../../shared/entities.ts";
import { fromBase64url } from "../../shared/signing.ts";
import { call, client } from "../api.ts";

/** Where this device stands: what the account page shows. */
export type PushState =
  | { kind: "unsupported" }
  | { kind: "off-on-server" }
  | { kind: "denied" }
  | { kind: "available"; publicKey: string }
  | { kind: "subscribed"; publicKey: string; kinds: NotificationKind[] };

/** The service worker's registration, when this browser can receive pushes at all (the installed app's build has one). */
async function registration(): Promise<ServiceWorkerRegistration | undefined> {
  if (!("serviceWorker" in navigator) || typeof PushManager === "undefined" || typeof Notification === "undefined") return undefined;
  return navigator.serviceWorker.getRegistration();
}

/** Where this device stands now. */
export async function pushState(): Promise<PushState> {
  const worker = await registration();
  if (!worker) return { kind: "unsupported" };
  const { publicKey } = await call(() => client.api.push.key.$get());
  if (!publicKey) return { kind: "off-on-server" };
  if (Notification.permission === "denied") return { kind: "denied" };
  const [{ subscription }, held] = await Promise.all([call(() => client.api.push.subscription.$get()), worker.pushManager.getSubscription()]);
  return subscription && held && Notification.permission === "granted" ? { kind: "subscribed", publicKey, kinds: subscription.kinds } : { kind: "available", publicKey };
}

/** Asks permission, subscribes the browser with the server's key and tells the server; the state after. */
export async function subscribeThisDevice(publicKey: string): Promise<PushState> {
  if ((await Notification.requestPermission()) !== "granted") return { kind: "denied" };
  const worker = await registration();
  if (!worker) return { kind: "unsupported" };
  const subscription = await worker.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: fromBase64url(publicKey) });
  const { endpoint, keys } = subscription.toJSON();
  const saved = await call(() =>
    client.api.push.subscription.$put({ json: { endpoint: endpoint ?? "", keys: { p256dh: keys?.["p256dh"] ?? "", auth: keys?.["auth"] ?? "" } } }),
  );
  return { kind: "subscribed", publicKey, kinds: saved.subscription.kinds };
}

/** Ends this device's subscription in the browser and on the server. */
export async function unsubscribeThisDevice(publicKey: string): Promise<PushState> {
  await (await (await registration())?.pushManager.getSubscription())?.unsubscribe();
  await call(() => client.api.push.subscription.$delete());
  return { kind: "available", publicKey };
}

/** Sets which kinds this device wants pushed. */
export async function setPushKinds(kinds: NotificationKind[]): Promise<NotificationKind[]> {
  return (await call(() => client.api.push.subscription.$patch({ json: { kinds } }))).subscription.kinds;
}
