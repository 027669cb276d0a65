// Web Push (issue 20): a device subscribes with its session; the push queue's consumer sends each notification to
// the devices that may have it, encrypted (RFC 8291) and signed (VAPID, RFC 8292). The push service here is a local
// one (tests/setup/push-service.ts) that decrypts with http_ece and verifies the token with jose, independently.
import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { mentionNode } from "../../src/shared/content.ts";
import type { BeingId, IntentionId } from "../../src/shared/entities.ts";
import { newIntentionId } from "../../src/shared/ids.ts";
import { fromBase64url, toBase64url } from "../../src/shared/signing.ts";
import { app } from "../../src/worker/app.ts";
import worker from "../../src/worker/index.ts";
import { sweepUntakenNotifications } from "../../src/worker/push/consumer.ts";
import type { PushRecord } from "../setup/push-service.ts";
import { Client, db, guest, space } from "./client.ts";

const service = inject("pushServiceUrl");

/** A VAPID key pair made here, as the secrets hold one (base64url public point and private scalar). */
async function vapidKeys(): Promise<Pick<Env, "VAPID_PUBLIC_KEY" | "VAPID_PRIVATE_KEY">> {
  const pair = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign"])) as CryptoKeyPair;
  const jwk = (await crypto.subtle.exportKey("jwk", pair.privateKey)) as JsonWebKey;
  const point = new Uint8Array([4, ...fromBase64url(jwk.x!), ...fromBase64url(jwk.y!)]);
  return { VAPID_PUBLIC_KEY: toBase64url(point), VAPID_PRIVATE_KEY: jwk.d! };
}

// The suite's env has push off (as live sync): these tests run its consumer and cron with it configured.
let pushEnv: Env;
beforeAll(async () => {
  pushEnv = { ...env, ...(await vapidKeys()), VAPID_SUBJECT: "mailto:operator@spaces.test" };
});

/** A browser of the local push service: its subscription, answering pushes with `status`. */
async function browser(status = 201) {
  return (await (await fetch(`${service}/subscribe/${status}`)).json()) as { id: string; endpoint: string; keys: { p256dh: string; auth: string } };
}

const records = async (id: string) => (await (await fetch(`${service}/records/${id}`)).json()) as PushRecord[];

async function subscribed(client: Client, status = 201, kinds?: string[]) {
  const device = await browser(status);
  const reply = await client.request("PUT", "/api/push/subscription", { endpoint: device.endpoint, keys: device.keys, ...(kinds ? { kinds } : {}) });
  expect(reply.status).toBe(200);
  const [row] = await db<{ session_id: string }>(sql`SELECT session_id FROM push_subscriptions WHERE endpoint = ${device.endpoint}`);
  return { ...device, session: row!.session_id };
}

/** A message by `author` in `room` mentioning `who`, written straight to the database (no queue notice), and its notification's id. */
async function mentioned(author: Client, room: string, who: Client, text = "look at this") {
  const id = newIntentionId();
  const content = [`${text} `, mentionNode(who.id as BeingId, who.being!.name)];
  await db(sql`INSERT INTO intentions (id, owner_id, location_id, content) VALUES (${id}, ${author.id}, ${room}, ${JSON.stringify(content)}::jsonb)`);
  const [row] = await db<{ id: string }>(sql`SELECT id FROM notifications WHERE intention_id = ${id} AND being_id = ${who.id}`);
  return { intention: id as IntentionId, notification: Number(row!.id) };
}

/** Dates a notification back by `ago` (an interval). */
const writtenAgo = (notification: number, ago: string) => db(sql`UPDATE notifications SET created_at = now() - ${ago}::interval WHERE id = ${notification}`);

/** Runs the push consumer over `bodies`, with `overrides` of its bindings. */
async function consume(bodies: unknown[], overrides: Partial<Env> = {}) {
  const batch = createMessageBatch("spaces-push", bodies.map((body) => ({ id: crypto.randomUUID(), timestamp: new Date(), attempts: 1, body })));
  await worker.queue(batch as MessageBatch<any>, { ...pushEnv, ...overrides });
  return getQueueResult(batch, createExecutionContext());
}

const deliver = (notification: number, session: string) => consume([{ notification, session }]);

describe("push subscriptions", () => {
  it("subscribes this device with its session, shows its kinds, changes them, and unsubscribes", async () => {
    const ada = await guest("Ada");
    expect((await ada.request("GET", "/api/push/subscription")).body).toEqual({ subscription: null });
    const device = await browser();
    const put = await ada.request("PUT", "/api/push/subscription", { endpoint: device.endpoint, keys: device.keys });
    expect(put.body).toEqual({ subscription: { kinds: ["mention", "reply", "bot_reply"] } });
    expect((await ada.request("PATCH", "/api/push/subscription", { kinds: ["reply"] })).body).toEqual({ subscription: { kinds: ["reply"] } });
    // Subscribing again (a renewed subscription) keeps the device's preferences.
    await ada.request("PUT", "/api/push/subscription", { endpoint: device.endpoint, keys: device.keys });
    expect((await ada.request("GET", "/api/push/subscription")).body).toEqual({ subscription: { kinds: ["reply"] } });
    expect((await ada.request("DELETE", "/api/push/subscription")).status).toBe(204);
    expect((await ada.request("GET", "/api/push/subscription")).body).toEqual({ subscription: null });
    expect((await ada.request("PATCH", "/api/push/subscription", { kinds: [] })).status).toBe(404);
  });

  it("gives the endpoint to the newest session of the browser that holds it", async () => {
    const ada = await guest("Ada");
    const bob = await guest("Bob");
    const device = await browser();
    await ada.request("PUT", "/api/push/subscription", { endpoint: device.endpoint, keys: device.keys });
    await bob.request("PUT", "/api/push/subscription", { endpoint: device.endpoint, keys: device.keys });
    expect((await ada.request("GET", "/api/push/subscription")).body).toEqual({ subscription: null });
    const rows = await db<{ being_id: string }>(sql`SELECT being_id FROM push_subscriptions WHERE endpoint = ${device.endpoint}`);
    expect(rows).toEqual([{ being_id: bob.id }]);
  });

  it("refuses what is not a push subscription: plain http elsewhere than this machine, oversized or malformed keys, no session", async () => {
    const ada = await guest("Ada");
    const { keys } = await browser();
    const put = (body: unknown) => ada.request("PUT", "/api/push/subscription", body);
    expect((await put({ endpoint: "http://push.example.com/x", keys })).status).toBe(400);
    expect((await put({ endpoint: "javascript:alert(1)", keys })).status).toBe(400);
    expect((await put({ endpoint: `https://push.example.com/${"x".repeat(2100)}`, keys })).status).toBe(400);
    expect((await put({ endpoint: "https://push.example.com/x", keys: { ...keys, p256dh: `${keys.p256dh}AA` } })).status).toBe(400);
    expect((await put({ endpoint: "https://push.example.com/x", keys: { ...keys, auth: "short" } })).status).toBe(400);
    expect((await put({ endpoint: "https://push.example.com/x", keys, kinds: ["mention", "mention"] })).status).toBe(400);
    expect((await put({ endpoint: "https://fcm.googleapis.com/fcm/send/x", keys })).status).toBe(200);
    expect((await new Client().request("PUT", "/api/push/subscription", { endpoint: "https://fcm.googleapis.com/fcm/send/y", keys })).status).toBe(401);
  });

  it("sends only to a listed push service (PUSH_SERVICE_HOSTS): never to another address a subscription names", async () => {
    const ada = await guest("Ada");
    const { keys } = await browser();
    const put = (endpoint: string) => ada.request("PUT", "/api/push/subscription", { endpoint, keys });
    for (const endpoint of [
      "https://push.example.com/x",
      "https://10.0.0.1/x",
      "https://169.254.169.254/latest",
      "https://fcm.googleapis.com.evil.example/x",
      "https://evilfcm.googleapis.com/x",
      "https://user:pass@fcm.googleapis.com/x",
      "http://fcm.googleapis.com/x",
      "http://localhost:8787/api/admin/stats",
    ]) {
      const reply = await put(endpoint);
      expect(reply.status, endpoint).toBe(400);
      expect(reply.body.error.code).toBe("VALIDATION");
    }
    expect(await db(sql`SELECT 1 FROM push_subscriptions WHERE being_id = ${ada.id}`)).toEqual([]);
    expect((await put("https://android.fcm.googleapis.com/x")).status).toBe(200);
  });

  it("forgets a subscription whose service redirects (never followed), or whose host is no longer listed", async () => {
    const ada = await guest("Ada");
    const bob = await guest("Bob");
    const room = await space(ada);
    const redirecting = await subscribed(bob, 307);
    const first = await mentioned(ada, room.id, bob);
    expect((await deliver(first.notification, redirecting.session)).explicitAcks).toHaveLength(1);
    expect(await records(redirecting.id)).toHaveLength(1);
    expect(await db(sql`SELECT 1 FROM push_subscriptions WHERE session_id = ${redirecting.session}`)).toEqual([]);

    const carol = await guest("Carol");
    const unlisted = await subscribed(carol);
    const second = await mentioned(ada, room.id, carol);
    const batch = await consume([{ notification: second.notification, session: unlisted.session }], { PUSH_SERVICE_HOSTS: "fcm.googleapis.com" });
    expect(batch.explicitAcks).toHaveLength(1);
    expect(await records(unlisted.id)).toEqual([]);
    expect(await db(sql`SELECT 1 FROM push_subscriptions WHERE session_id = ${unlisted.session}`)).toEqual([]);
  });

  it("gives the public key browsers subscribe with, or null while push is off", async () => {
    expect((await new Client().request("GET", "/api/push/key")).body).toEqual({ publicKey: null });
    const configured = await app.fetch(new Request("https://spaces.test/api/push/key"), pushEnv, createExecutionContext());
    expect(await configured.json()).toEqual({ publicKey: pushEnv.VAPID_PUBLIC_KEY });
  });
});

describe("push delivery", () => {
  it("sends a new notification to the being's devices, encrypted for each and signed with the server's VAPID key", async () => {
    const ada = await guest("Ada");
    const bob = await guest("Bob");
    const room = await space(ada);
    const device = await subscribed(bob);
    const { intention, notification } = await mentioned(ada, room.id, bob, "hello   <b>Bob</b>");

    const sent: unknown[] = [];
    const queue = { sendBatch: async (messages: { body: unknown }[]) => void sent.push(...messages.map((m) => m.body)) } as unknown as Queue;
    await consume([{ space: room.id }, { space: room.id }], { PUSH_QUEUE: queue });
    expect(sent).toEqual([{ notification, session: device.session }]);
    // Taken once: another notice of the space finds nothing new.
    await consume([{ space: room.id }], { PUSH_QUEUE: queue });
    expect(sent).toHaveLength(1);

    const result = await deliver(notification, device.session);
    expect(result.explicitAcks).toHaveLength(1);
    const [record] = await records(device.id);
    expect(record!.decryptError).toBeUndefined();
    expect(record!.payload).toEqual({
      title: `Ada mentioned you in ${room.name}`,
      body: "hello <b>Bob</b> @Bob",
      url: `/${room.id}?message=${encodeURIComponent(intention)}`,
      tag: intention,
    });
    expect(record!.headers).toEqual({ "content-encoding": "aes128gcm", "content-type": "application/octet-stream", ttl: "86400", urgency: "normal" });
    expect(record!.vapid).toMatchObject({ alg: "ES256", publicKey: pushEnv.VAPID_PUBLIC_KEY, claims: { aud: new URL(service).origin, sub: "mailto:operator@spaces.test" } });
    const exp = (record!.vapid as unknown as { claims: { exp: number } }).claims.exp;
    expect(exp * 1000 - Date.now()).toBeGreaterThan(3600_000);
    expect(exp * 1000 - Date.now()).toBeLessThanOrEqual(24 * 3600_000);
  });

  it("forwards again, from the cron, a space whose new notification no notice took within a minute", async () => {
    const ada = await guest("Ada");
    const bob = await guest("Bob");
    const room = await space(ada);
    const { notification } = await mentioned(ada, room.id, bob);
    const sent: unknown[] = [];
    const queue = { sendBatch: async (messages: { body: unknown }[]) => void sent.push(...messages.map((m) => m.body)) } as unknown as Queue;
    await sweepUntakenNotifications({ ...pushEnv, PUSH_QUEUE: queue });
    expect(sent).not.toContainEqual({ space: room.id });
    await writtenAgo(notification, "2 minutes");
    await sweepUntakenNotifications({ ...pushEnv, PUSH_QUEUE: queue });
    expect(sent).toContainEqual({ space: room.id });
  });

  it("is told by the sync consumer which spaces' logs grew, whatever live sync does; not while push is off", async () => {
    const sent: unknown[] = [];
    const queue = { sendBatch: async (messages: { body: unknown }[]) => void sent.push(...messages.map((m) => m.body)) } as unknown as Queue;
    const notices = (target: Env) => {
      const batch = createMessageBatch("spaces-sync", ["@a", "@b", "@a"].map((space) => ({ id: crypto.randomUUID(), timestamp: new Date(), attempts: 1, body: { space } })));
      return worker.queue(batch as MessageBatch<any>, target);
    };
    await notices({ ...env, PUSH_QUEUE: queue });
    expect(sent).toEqual([]);
    await notices({ ...pushEnv, PUSH_QUEUE: queue });
    expect(sent).toEqual([{ space: "@a" }, { space: "@b" }]);
  });

  it("deletes a subscription its push service says is gone (410), and retries other failures", async () => {
    const ada = await guest("Ada");
    const bob = await guest("Bob");
    const room = await space(ada);
    const gone = await subscribed(bob, 410);
    const first = await mentioned(ada, room.id, bob);
    expect((await deliver(first.notification, gone.session)).explicitAcks).toHaveLength(1);
    expect(await records(gone.id)).toHaveLength(1);
    expect(await db(sql`SELECT 1 FROM push_subscriptions WHERE session_id = ${gone.session}`)).toEqual([]);

    const carol = await guest("Carol");
    const failing = await subscribed(carol, 500);
    const second = await mentioned(ada, room.id, carol);
    const result = await deliver(second.notification, failing.session);
    expect(result.retryMessages).toHaveLength(1);
    expect(await db(sql`SELECT 1 FROM push_subscriptions WHERE session_id = ${failing.session}`)).toHaveLength(1);
  });

  it("sends nothing to a device with that space open and visible, until it is no longer", async () => {
    const ada = await guest("Ada");
    const bob = await guest("Bob");
    const room = await space(ada);
    const device = await subscribed(bob);
    expect((await bob.request("POST", "/api/push/visible", { space: room.id })).status).toBe(204);
    const first = await mentioned(ada, room.id, bob);
    expect((await deliver(first.notification, device.session)).explicitAcks).toHaveLength(1);
    expect(await records(device.id)).toEqual([]);
    await bob.request("POST", "/api/push/visible", { space: null });
    await deliver(first.notification, device.session);
    expect(await records(device.id)).toHaveLength(1);
  });

  it("sends nothing from a muted space, nor a kind the device does not want, nor what was read in the app", async () => {
    const ada = await guest("Ada");
    const bob = await guest("Bob");
    const room = await space(ada);
    const device = await subscribed(bob, 201, ["reply", "bot_reply"]);
    const unwanted = await mentioned(ada, room.id, bob);
    await deliver(unwanted.notification, device.session);
    await bob.request("PATCH", "/api/push/subscription", { kinds: ["mention"] });
    await db(sql`INSERT INTO space_reads (being_id, space_id, muted) VALUES (${bob.id}, ${room.id}, true)`);
    const muted = await mentioned(ada, room.id, bob);
    await deliver(muted.notification, device.session);
    await db(sql`UPDATE space_reads SET muted = false WHERE being_id = ${bob.id}`);
    const read = await mentioned(ada, room.id, bob);
    await bob.request("POST", "/api/notifications/read", { ids: [read.notification] });
    await deliver(read.notification, device.session);
    expect(await records(device.id)).toEqual([]);
  });

  it("never sends a private space's text to a device of someone no longer a member", async () => {
    const ada = await guest("Ada");
    const bob = await guest("Bob");
    const room = await space(ada, { private: true, members: [bob.id] });
    const device = await subscribed(bob);
    const secret = await mentioned(ada, room.id, bob, "the secret plan");
    await db(sql`UPDATE beings SET properties = '{"private": true, "members": []}' WHERE id = ${room.id}`);
    expect((await deliver(secret.notification, device.session)).explicitAcks).toHaveLength(1);
    expect(await records(device.id)).toEqual([]);
    // A member again: the same push goes.
    await db(sql`UPDATE beings SET properties = ${JSON.stringify({ private: true, members: [bob.id] })}::jsonb WHERE id = ${room.id}`);
    await deliver(secret.notification, device.session);
    expect((await records(device.id)).map((r) => (r.payload as { body: string }).body)).toEqual(["the secret plan @Bob"]);
  });
});
