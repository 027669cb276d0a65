import net from "node:net";
import { RoomServiceClient } from "livekit-server-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findLivekitServer, type LocalLivekit, startLivekit } from "../../scripts/local/livekit.ts";

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

// `npm test` installs livekit-server first (scripts/test.ts); a bare `vitest run` on a machine
// without it skips rather than fails, since the binary lives outside the clone.
describe.skipIf(!findLivekitServer())("startLivekit", () => {
  let livekit: LocalLivekit;
  let rooms: RoomServiceClient;
  const port = () => Number(new URL(livekit.url).port);

  beforeAll(async () => {
    livekit = await startLivekit();
    rooms = new RoomServiceClient(livekit.url.replace(/^ws/, "http"), livekit.apiKey, livekit.apiSecret);
  }, 60_000);
  afterAll(() => livekit?.stop());

  it("serves the room API on loopback with the dev keys", async () => {
    expect(livekit.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    await rooms.createRoom({ name: "@probe" });
    const names = (await rooms.listRooms()).map((room) => room.name);
    expect(names).toContain("@probe");
  });

  it("refuses a client signed with the wrong secret", async () => {
    const stranger = new RoomServiceClient(livekit.url.replace(/^ws/, "http"), livekit.apiKey, "not-the-secret");
    await expect(stranger.listRooms()).rejects.toThrow();
  });

  it("runs two instances side by side on different ports", async () => {
    const other = await startLivekit();
    try {
      expect(other.url).not.toBe(livekit.url);
      const otherRooms = new RoomServiceClient(other.url.replace(/^ws/, "http"), other.apiKey, other.apiSecret);
      expect(await otherRooms.listRooms()).toEqual([]);
    } finally {
      await other.stop();
    }
  }, 30_000);

  it("restarts on the same port, with its rooms gone (an outage)", async () => {
    const before = livekit.url;
    await livekit.restart();
    expect(livekit.url).toBe(before);
    await rooms.createRoom({ name: "@after" });
    const names = (await rooms.listRooms()).map((room) => room.name);
    expect(names).toEqual(["@after"]);
  }, 30_000);

  it("stop() closes the port", async () => {
    expect(await portOpen(port())).toBe(true);
    await livekit.stop();
    expect(await portOpen(port())).toBe(false);
  }, 30_000);
});
