/** A worker env with LiveKit configured, and an interceptor that records what would reach LiveKit. */
import { env } from "cloudflare:test";
import superjson from "superjson";
import { vi } from "vitest";
import type { SyncBatch } from "../../src/shared/sync.ts";

export const LIVEKIT_URL = "http://livekit.test:7880";

export const livekitEnv: Env = {
  ...env,
  LIVEKIT_URL,
  LIVEKIT_API_KEY: "test-key",
  LIVEKIT_API_SECRET: "test-secret-that-is-at-least-32-characters-long",
};

export interface SentData {
  room: string;
  topic: string;
  kind: string;
  nonce: string;
  bytes: number;
  batch: SyncBatch;
}

/**
 * Intercepts LiveKit's SendData (the network edge) and decodes each payload. `fail` decides per
 * SendData call whether LiveKit answers 503 instead; ListRooms reports every room occupied except
 * those in `emptyRooms`.
 */
export function interceptLivekit(fail: (call: number, room: string) => boolean = () => false, emptyRooms: string[] = []) {
  const sent: SentData[] = [];
  let calls = 0;
  const original = globalThis.fetch;
  const spy = vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const url = new Request(input as RequestInfo).url;
    if (!url.startsWith(LIVEKIT_URL)) return original(input as RequestInfo, init);
    const request = JSON.parse(String(init?.body ?? "{}"));
    if (url.endsWith("/ListRooms")) {
      const names: string[] = request.names ?? [];
      return Response.json({ rooms: names.filter((name) => !emptyRooms.includes(name)).map((name) => ({ name, numParticipants: 1 })) });
    }
    calls += 1;
    if (fail(calls, request.room)) return new Response("unavailable", { status: 503 });
    if (url.endsWith("/SendData")) {
      const bytes = Uint8Array.from(atob(request.data), (ch) => ch.charCodeAt(0));
      sent.push({
        room: request.room,
        topic: request.topic,
        kind: request.kind,
        nonce: request.nonce,
        bytes: bytes.length,
        batch: superjson.parse(new TextDecoder().decode(bytes)),
      });
    }
    return Response.json({});
  });
  return { sent, calls: () => calls, restore: () => spy.mockRestore() };
}
