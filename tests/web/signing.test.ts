import { describe, expect, it } from "vitest";
import { createKeyring, openSignedPacket, toBase64url, type SyncKey } from "../../src/shared/signing.ts";

/** A key pair as the server would list it, and a signer of payload texts. */
async function serverKey(kid: string) {
  const pair = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair;
  const x = toBase64url(new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey)));
  const listed: SyncKey = { kid, alg: "Ed25519", x };
  const packet = async (payload: string) => {
    const sig = new Uint8Array(await crypto.subtle.sign({ name: "Ed25519" }, pair.privateKey, new TextEncoder().encode(payload)));
    return JSON.stringify({ kid, payload, sig: toBase64url(sig) });
  };
  return { listed, packet };
}

describe("a receiver's keyring and packet check", () => {
  it("opens a packet signed by a listed key, and refuses a tampered one, junk, and an unsigned batch", async () => {
    const server = await serverKey("k1");
    const keyring = createKeyring(async () => [server.listed]);
    const packet = await server.packet('{"json":{"v":1}}');
    expect(await openSignedPacket(packet, keyring)).toEqual({ payload: '{"json":{"v":1}}' });
    expect(await openSignedPacket(packet.replace('{\\"v\\":1}', '{\\"v\\":2}'), keyring)).toEqual({ fault: "bad signature" });
    expect(await openSignedPacket("junk", keyring)).toEqual({ fault: "malformed" });
    expect(await openSignedPacket('{"json":{"v":1,"space":"@room"}}', keyring)).toEqual({ fault: "malformed" });
  });

  it("asks for the list again when it meets an unknown kid, at most once every 10 s", async () => {
    const first = await serverKey("old");
    const rotated = await serverKey("new");
    let listed = [first.listed];
    let fetches = 0;
    let clock = 0;
    const keyring = createKeyring(async () => (fetches++, listed), () => clock);

    expect(await openSignedPacket(await first.packet("a"), keyring)).toEqual({ payload: "a" });
    expect(fetches).toBe(1);
    // A forger's kid: one fetch, then no more for 10 s however many packets name it.
    clock = 20_000;
    const forged = await serverKey("forged");
    for (let i = 0; i < 5; i++) expect(await openSignedPacket(await forged.packet("x"), keyring)).toEqual({ fault: "unknown key" });
    expect(fetches).toBe(2);
    // The server rotated meanwhile: within the 10 s the new kid is still unknown; after them it is fetched and verifies.
    listed = [rotated.listed, first.listed];
    clock = 25_000;
    expect(await openSignedPacket(await rotated.packet("b"), keyring)).toEqual({ fault: "unknown key" });
    clock = 30_001;
    expect(await openSignedPacket(await rotated.packet("b"), keyring)).toEqual({ payload: "b" });
    expect(fetches).toBe(3);
    expect(await openSignedPacket(await first.packet("c"), keyring)).toEqual({ payload: "c" });
  });

  it("keeps what it knew when a fetch of the list fails", async () => {
    const server = await serverKey("k");
    let fail = false;
    let clock = 0;
    const keyring = createKeyring(async () => {
      if (fail) throw new Error("offline");
      return [server.listed];
    }, () => clock);
    expect(await openSignedPacket(await server.packet("a"), keyring)).toEqual({ payload: "a" });
    fail = true;
    clock = 60_000;
    expect(await openSignedPacket(await (await serverKey("other")).packet("x"), keyring)).toEqual({ fault: "unknown key" });
    expect(await openSignedPacket(await server.packet("b"), keyring)).toEqual({ payload: "b" });
  });
});

describe("loading the keyring ahead of the first packet", () => {
  it("fetches the list once on load, and the packet after it needs no fetch", async () => {
    const server = await serverKey("k");
    let fetches = 0;
    const keyring = createKeyring(async () => (fetches++, [server.listed]));
    await keyring.load();
    await keyring.load();
    expect(fetches).toBe(1);
    expect(await openSignedPacket(await server.packet("a"), keyring)).toEqual({ payload: "a" });
    expect(fetches).toBe(1);
  });
});
