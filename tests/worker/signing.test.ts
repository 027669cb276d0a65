import { env, SELF } from "cloudflare:test";
import superjson from "superjson";
import { describe, expect, it } from "vitest";
import type { Change } from "../../src/shared/sync.ts";
import { fromBase64url, importSyncKey, parseSignedBatch, toBase64url, verifySignedBatch, type SignedBatch } from "../../src/shared/signing.ts";
import { MAX_SYNC_PAYLOAD_BYTES } from "../../src/shared/sync.ts";
import { packChanges } from "../../src/worker/sync/pack.ts";
import { syncSigner } from "../../src/worker/sync/signer.ts";
import { ORIGIN } from "./client.ts";

const signingEnv = (key: string, retired = "") => ({ ...env, SYNC_SIGNING_KEY: key, SYNC_RETIRED_SIGNING_KEYS: retired });

async function verifies(signed: SignedBatch, keys: Awaited<ReturnType<typeof syncSigner>>["keys"]): Promise<boolean> {
  const listed = keys.find((key) => key.kid === signed.kid);
  return listed !== undefined && verifySignedBatch(await importSyncKey(listed), signed);
}

describe("signed sync batches", () => {
  it("a signed batch verifies with the listed key, and not once a byte of its payload or signature flips", async () => {
    const signer = await syncSigner(signingEnv("a-long-random-signing-secret"));
    const payload = superjson.stringify({ v: 1, space: "@room", from: 1, to: 1, changes: [] });
    const signed = await signer.sign(payload);
    expect(signed.kid).toBe(signer.kid);
    expect(await verifies(signed, signer.keys)).toBe(true);

    const flippedPayload = { ...signed, payload: payload.replace('"to":1', '"to":2') };
    expect(await verifies(flippedPayload, signer.keys)).toBe(false);
    const sig = fromBase64url(signed.sig);
    sig[5] = sig[5]! ^ 0x01;
    expect(await verifies({ ...signed, sig: toBase64url(sig) }, signer.keys)).toBe(false);
    expect(await verifies({ ...signed, sig: "not base64url!" }, signer.keys)).toBe(false);
  });

  it("names a key by its fingerprint: the same secret gives the same key everywhere, another secret another key", async () => {
    const one = await syncSigner(signingEnv("secret-one-that-is-long-enough"));
    const again = await syncSigner(signingEnv("secret-one-that-is-long-enough"));
    const other = await syncSigner(signingEnv("secret-two-that-is-long-enough"));
    expect(again.keys).toEqual(one.keys);
    expect(other.kid).not.toBe(one.kid);
    const signed = await other.sign("{}");
    expect(await verifies(signed, one.keys)).toBe(false);
  });

  it("rotates: the new key signs, the retired one stays listed so batches it signed in flight still verify", async () => {
    const before = await syncSigner(signingEnv("the-old-signing-secret-value"));
    const inFlight = await before.sign("{\"json\":{}}");
    const after = await syncSigner(signingEnv("the-new-signing-secret-value", "the-old-signing-secret-value"));
    expect(after.keys.map((key) => key.kid)).toEqual([after.kid, before.kid]);
    expect((await after.sign("{}")).kid).toBe(after.kid);
    expect(await verifies(inFlight, after.keys)).toBe(true);
  });

  it("without SYNC_SIGNING_KEY, signs with a key derived from SESSION_SECRET (never the secret itself)", async () => {
    const signer = await syncSigner({ ...env, SYNC_SIGNING_KEY: "", SYNC_RETIRED_SIGNING_KEYS: "" });
    expect(signer.keys).toHaveLength(1);
    expect(JSON.stringify(signer.keys)).not.toContain(env.SESSION_SECRET);
    expect(await verifies(await signer.sign("{}"), signer.keys)).toBe(true);
  });

  it("GET /api/sync/keys lists the public keys, Ed25519, raw and base64url", async () => {
    const response = await SELF.fetch(`${ORIGIN}/api/sync/keys`);
    expect(response.status).toBe(200);
    const { keys } = (await response.json()) as { keys: Array<{ kid: string; alg: string; x: string }> };
    expect(keys).toEqual((await syncSigner(env)).keys);
    expect(keys[0]).toMatchObject({ alg: "Ed25519" });
    expect(fromBase64url(keys[0]!.x)).toHaveLength(32);
    expect(Object.keys(keys[0]!).sort()).toEqual(["alg", "kid", "x"]);
  });

  it("a packed batch, signed, fits LiveKit's 15 KiB packet limit with its envelope (quotes escaped twice included)", async () => {
    const at = new Date("2026-12-07T10:00:00.000Z");
    const quoted = '"'.repeat(700);
    const changes: Change[] = Array.from({ length: 60 }, (_, i) => ({
      seq: i + 1, at, kind: "intention", op: "upsert", id: `/q${i}`,
      data: { id: `/q${i}`, name: "", type: "utterance", state: "complete", ownerId: "@ada", locationId: "@room", content: [quoted], version: 1, createdAt: at, modifiedAt: at },
    }));
    const signer = await syncSigner(env);
    const packed = packChanges("@room", changes);
    expect(packed.length).toBeGreaterThan(2);
    for (const { payload, packetBytes } of packed) {
      const packet = new TextEncoder().encode(JSON.stringify(await signer.sign(payload)));
      expect(packet.length).toBeLessThanOrEqual(packetBytes);
      expect(packet.length).toBeLessThanOrEqual(MAX_SYNC_PAYLOAD_BYTES);
      expect(parseSignedBatch(new TextDecoder().decode(packet))?.payload).toBe(payload);
    }
  });

  it("reads only a well-formed envelope", () => {
    expect(parseSignedBatch("not json")).toBeUndefined();
    expect(parseSignedBatch(superjson.stringify({ v: 1 }))).toBeUndefined();
    expect(parseSignedBatch(JSON.stringify({ kid: 1, payload: "x", sig: "y" }))).toBeUndefined();
    expect(parseSignedBatch(JSON.stringify({ kid: "k", payload: "x", sig: "y", extra: 1 }))).toEqual({ kid: "k", payload: "x", sig: "y" });
  });
});
