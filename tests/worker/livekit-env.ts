/** A worker env with LiveKit configured, and an interceptor that records what would reach LiveKit. */
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import superjson from "superjson";
import { vi } from "vitest";
import { importSyncKey, parseSignedBatch, verifySignedBatch } from "../../src/shared/signing.ts";
import type { SyncBatch } from "../../src/shared/sync.ts";
import { app } from "../../src/worker/app.ts";
import { syncSigner } from "../../src/worker/sync/signer.ts";
import { type Client, cookieHeader, ORIGIN } from "./client.ts";

export const LIVEKIT_URL = "http://livekit.test:7880";

/** Calls the worker with LiveKit configured (livekitEnv), as `client`. */
export async function callWithLivekit(client: Client, method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = { Origin: ORIGIN, "CF-Connecting-IP": client.address, Cookie: cookieHeader(client.jar) };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const ctx = createExecutionContext();
  const response = await app.request(`${ORIGIN}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }, livekitEnv, ctx);
  await waitOnExecutionContext(ctx);
  return { status: response.status, body: await response.json<any>() };
}

/**
 * Live sync configured. The budget is unlimited here: its state is one row that every test file
 * shares, so only tests/worker/budget.db.test.ts spends it (with a budget of its own).
 */
export const livekitEnv: Env = {
  ...env,
  LIVEKIT_URL,
  LIVEKIT_API_KEY: "test-key",
  LIVEKIT_API_SECRET: "test-secret-that-is-at-least-32-characters-long",
  LIVEKIT_CALLS_PER_MINUTE: "0",
};

export interface SentData {
  room: string;
  topic: string;
  kind: string;
  nonce: string;
  bytes: number;
  /** The signed packet's kid. */
  kid: string;
  /** Whether its signature verifies with the key GET /api/sync/keys lists under its kid. */
  verified: boolean;
  batch: SyncBatch;
  /** The connections it was addressed to (none: everyone in the room). */
  destinationIdentities: string[];
  /** The signed payload as it came (a personal notice's JSON). */
  payload: string;
}

/** Reads a sent packet as a receiver would: the SignedBatch envelope, its signature against the listed keys, the batch. */
async function readPacket(bytes: Uint8Array): Promise<Pick<SentData, "kid" | "verified" | "batch" | "payload">> {
  const packet = parseSignedBatch(new TextDecoder().decode(bytes));
  if (!packet) throw new Error("a sync packet that is not a SignedBatch");
  const listed = (await syncSigner(livekitEnv)).keys.find((key) => key.kid === packet.kid);
  const verified = listed !== undefined && (await verifySignedBatch(await importSyncKey(listed), packet));
  return { kid: packet.kid, verified, batch: superjson.parse(packet.payload), payload: packet.payload };
}

/**
 * Intercepts LiveKit's server API (the network edge) and decodes each SendData payload. `fail` decides
 * per call whether LiveKit answers 503 instead (or with the Response it returns); ListRooms lists the
 * rooms in `listedRooms` with one participant each; UpdateParticipant requests are kept in `updates`,
 * RemoveParticipant requests in `removals`.
 * Every call, ListRooms included, is counted.
 */
export function interceptLivekit(
  fail: (call: number, room: string) => boolean | Response = () => false,
  listedRooms: () => string[] = () => [],
) {
  const sent: SentData[] = [];
  const listings: number[] = [];
  const updates: Array<{ room: string; identity: string; permission: Record<string, unknown> }> = [];
  const removals: Array<{ room: string; identity: string }> = [];
  let calls = 0;
  const original = globalThis.fetch;
  const spy = vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const url = new Request(input as RequestInfo).url;
    if (!url.startsWith(LIVEKIT_URL)) return original(input as RequestInfo, init);
    const request = JSON.parse(String(init?.body ?? "{}"));
    calls += 1;
    if (url.endsWith("/ListRooms")) {
      listings.push(calls);
      return Response.json({ rooms: listedRooms().map((name) => ({ name, numParticipants: 1 })) });
    }
    const failure = fail(calls, request.room);
    if (failure instanceof Response) return failure;
    if (failure) return new Response("unavailable", { status: 503 });
    if (url.endsWith("/UpdateParticipant")) {
      updates.push({ room: request.room, identity: request.identity, permission: request.permission });
      return Response.json({ identity: request.identity });
    }
    if (url.endsWith("/RemoveParticipant")) {
      removals.push({ room: request.room, identity: request.identity });
      return Response.json({});
    }
    if (url.endsWith("/SendData")) {
      const bytes = Uint8Array.from(atob(request.data), (ch) => ch.charCodeAt(0));
      sent.push({
        room: request.room,
        topic: request.topic,
        kind: request.kind,
        nonce: request.nonce,
        destinationIdentities: request.destinationIdentities ?? [],
        bytes: bytes.length,
        ...(await readPacket(bytes)),
      });
    }
    return Response.json({});
  });
  return { sent, calls: () => calls, listings, updates, removals, restore: () => spy.mockRestore() };
}
