import superjson from "superjson";
import { afterEach, describe, expect, it, vi } from "vitest";
import { receive, type SyncBatch } from "../../src/shared/sync.ts";
import { backoff } from "../../src/web/sync/backoff.ts";
import { openRoom, type LinkState, type RoomLink } from "../../src/web/sync/room.ts";
import { apiError, fakeServer, json, networkDown } from "./support/fake-server.ts";
import { signedPacket, testReader } from "./support/signed.ts";
import { batch, said, SPACE, upsert } from "./support/fixtures.ts";

// The LiveKit SDK is the network edge: a hand-driven Room records connects and emits events.
const lk = vi.hoisted(() => {
  type Listener = (...args: unknown[]) => void;
  class FakeRoom {
    static instances: FakeRoom[] = [];
    static failConnect = 0;
    listeners = new Map<string, Listener[]>();
    localParticipant = {
      identity: "@me#tab1",
      attributes: {} as Record<string, string>,
      async setAttributes(attributes: Record<string, string>) {
        this.attributes = { ...this.attributes, ...attributes };
      },
    };
    remoteParticipants = new Map<string, unknown>();
    connectedWith?: { url: string; token: string; options: unknown };
    disconnected = false;
    /** As LiveKit's Room: attributes can be set only while "connected". */
    state = "disconnected";
    constructor() {
      FakeRoom.instances.push(this);
    }
    on(event: string, listener: Listener) {
      this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
      return this;
    }
    emit(event: string, ...args: unknown[]) {
      for (const listener of this.listeners.get(event) ?? []) listener(...args);
    }
    async connect(url: string, token: string, options: unknown) {
      if (FakeRoom.failConnect > 0) {
        FakeRoom.failConnect -= 1;
        throw new Error("could not establish signal connection");
      }
      this.connectedWith = { url, token, options };
      this.state = "connected";
    }
    async disconnect() {
      this.disconnected = true;
      this.state = "disconnected";
    }
  }
  const RoomEvent = {
    DataReceived: "dataReceived",
    ParticipantConnected: "participantConnected",
    ParticipantDisconnected: "participantDisconnected",
    Reconnecting: "reconnecting",
    SignalReconnecting: "signalReconnecting",
    Reconnected: "reconnected",
    Disconnected: "disconnected",
    ParticipantAttributesChanged: "participantAttributesChanged",
    TrackPublished: "trackPublished",
    TrackUnpublished: "trackUnpublished",
    LocalTrackPublished: "localTrackPublished",
    LocalTrackUnpublished: "localTrackUnpublished",
  };
  return { FakeRoom, RoomEvent };
});
vi.mock("livekit-client", () => ({
  Room: lk.FakeRoom,
  RoomEvent: lk.RoomEvent,
  setLogLevel: () => undefined,
}));

const TOKEN = "POST /api/spaces/%40s/token";
const encode = (value: unknown) => new TextEncoder().encode(superjson.stringify(value));

let links: RoomLink[] = [];
function listen(options = { delays: backoff(5, 20), failuresBeforeOff: 3 }) {
  const batches: SyncBatch[] = [];
  let read = Promise.resolve();
  const states: LinkState[] = [];
  const presence: string[][] = [];
  const typing: string[][] = [];
  const media: string[][] = [];
  const rooms: unknown[] = [];
  const link = openRoom(
    SPACE,
    {
      // Read as the pump reads them, one after another.
      onPacket: (packet) => {
        read = read.then(async () => {
          const verdict = await receive(packet, { space: SPACE, last: 0 }, testReader);
          if (verdict.kind !== "rejected") batches.push(verdict.batch);
        });
      },
      onState: (s) => states.push(s),
      onPresence: (p) => (presence.push([...p.online]), typing.push([...p.typing]), media.push([...p.media])),
      onRoom: (room) => rooms.push(room),
    },
    options,
  );
  links.push(link);
  return { batches, states, presence, typing, media, rooms, link, allRead: () => read };
}
const latestRoom = () => lk.FakeRoom.instances[lk.FakeRoom.instances.length - 1];
let tokens = 0;
const tokenRoute = () => json({ token: `token-${++tokens}`, url: "wss://livekit.test", room: SPACE, identity: "@me#tab1" });

afterEach(() => {
  for (const link of links) link.close();
  links = [];
  lk.FakeRoom.instances = [];
  lk.FakeRoom.failConnect = 0;
  vi.restoreAllMocks();
});

describe("the room link", () => {
  it("joins with a token from the API, subscribing to no media", async () => {
    fakeServer({ [TOKEN]: tokenRoute });
    const { states } = listen();
    await vi.waitFor(() => expect(states).toEqual(["connecting", "connected"]));
    expect(latestRoom().connectedWith).toMatchObject({ url: "wss://livekit.test", options: { autoSubscribe: false } });
  });

  it("hands on every packet of the sync topic, whoever sent it; only signed batches of this space pass the receive rule", async () => {
    fakeServer({ [TOKEN]: tokenRoute });
    const { batches, states, allRead } = listen();
    await vi.waitFor(() => expect(states).toContain("connected"));
    const room = latestRoom();
    const real = batch(6, 6, [upsert(6, said("/c", 3))]);

    room.emit("dataReceived", await signedPacket(real), undefined, 0, "sync", 0, "");
    // A writer relaying its own signed change: good, whoever LiveKit says it is.
    room.emit("dataReceived", await signedPacket(batch(7, 7, [])), { identity: "@ada#tab" }, 0, "sync", 0, "@ada#tab");
    // Unsigned, with a sender and without one (a join not announced yet looks like the server).
    room.emit("dataReceived", encode(batch(8, 8, [])), { identity: "@mallory" }, 0, "sync", 0, "@mallory");
    room.emit("dataReceived", encode(batch(9, 9, [])), undefined, 0, "sync", 0, "");
    room.emit("dataReceived", await signedPacket(batch(10, 10, [])), undefined, 0, "chat", 0, "");
    room.emit("dataReceived", new TextEncoder().encode("{not json"), undefined, 0, "sync", 0, "");
    room.emit("dataReceived", await signedPacket({ ...batch(11, 11, []), space: "@elsewhere" }), undefined, 0, "sync", 0, "");
    await allRead();

    expect(batches.map((b) => b.to)).toEqual([6, 7]);
    expect(batches[0].changes[0].at).toBeInstanceOf(Date);
    expect((batches[0].changes[0].data as { createdAt: Date }).createdAt).toBeInstanceOf(Date);
  });

  it("reports the beings connected to the room: online while any of their connections is there", async () => {
    fakeServer({ [TOKEN]: tokenRoute });
    const { presence, states } = listen();
    await vi.waitFor(() => expect(states).toContain("connected"));
    const room = latestRoom();
    room.remoteParticipants.set("@ada#phone", { identity: "@ada#phone" });
    room.emit("participantConnected", {});
    room.remoteParticipants.set("@ada#laptop", { identity: "@ada#laptop" });
    room.remoteParticipants.set("@me#tab2", { identity: "@me#tab2" });
    room.emit("participantConnected", {});
    room.remoteParticipants.delete("@ada#phone");
    room.emit("participantDisconnected", {});
    room.remoteParticipants.delete("@ada#laptop");
    room.emit("participantDisconnected", {});
    expect(presence).toEqual([["@me"], ["@me", "@ada"], ["@me", "@ada"], ["@me", "@ada"], ["@me"]]);
  });

  it("hands the connected Room to media, says who publishes any, and takes the Room back when it is gone", async () => {
    fakeServer({ [TOKEN]: tokenRoute });
    const { media, rooms } = listen();
    await vi.waitFor(() => expect(rooms).toHaveLength(1));
    const room = latestRoom();
    expect(rooms[0]).toBe(room);
    room.remoteParticipants.set("@ada#phone", { identity: "@ada#phone", trackPublications: new Map([["TR_1", {}]]) });
    room.emit("trackPublished");
    room.remoteParticipants.set("@ada#phone", { identity: "@ada#phone", trackPublications: new Map() });
    room.emit("trackUnpublished");
    expect(media.slice(-2)).toEqual([["@ada"], []]);
    room.emit("disconnected");
    expect(rooms).toEqual([room, undefined]);
  });

  it("reconnects with a fresh token when the SDK gives up, reporting reconnecting in between", async () => {
    const server = fakeServer({ [TOKEN]: tokenRoute });
    const { states } = listen();
    await vi.waitFor(() => expect(states).toContain("connected"));
    const first = latestRoom();
    first.emit("reconnecting");
    first.emit("disconnected");
    await vi.waitFor(() => expect(lk.FakeRoom.instances).toHaveLength(2));
    await vi.waitFor(() => expect(latestRoom().connectedWith?.token).toBe(`token-${tokens}`));
    expect(first.connectedWith?.token).not.toBe(latestRoom().connectedWith?.token);
    expect(server.callsTo(TOKEN)).toHaveLength(2);
    expect(states).toEqual(["connecting", "connected", "reconnecting", "connected"]);
  });

  it("says live sync is off when the server has no LiveKit, and comes back when it has", async () => {
    let configured = false;
    fakeServer({ [TOKEN]: () => (configured ? tokenRoute() : apiError(503, "UNAVAILABLE", "live sync is off")) });
    const { states } = listen();
    await vi.waitFor(() => expect(states).toEqual(["connecting", "off"]));
    configured = true;
    await vi.waitFor(() => expect(states).toEqual(["connecting", "off", "connected"]));
  });

  it("goes off after repeated connection failures, without flapping while it keeps trying", async () => {
    fakeServer({ [TOKEN]: tokenRoute });
    lk.FakeRoom.failConnect = 5;
    const { states } = listen();
    await vi.waitFor(() => expect(states[states.length - 1]).toBe("connected"));
    expect(states).toEqual(["connecting", "reconnecting", "off", "connected"]);
    expect(lk.FakeRoom.instances).toHaveLength(6);
  });

  it("reports offline when the token cannot be fetched for lack of network", async () => {
    let online = false;
    fakeServer({ [TOKEN]: () => (online ? tokenRoute() : networkDown()) });
    const { states } = listen();
    await vi.waitFor(() => expect(states).toContain("offline"));
    online = true;
    await vi.waitFor(() => expect(states[states.length - 1]).toBe("connected"));
    expect(states).not.toContain("off");
  });

  it("reads who is typing from participant attributes, and says so for this connection without a request", async () => {
    fakeServer({ [TOKEN]: tokenRoute });
    const { typing, states, link } = listen();
    await vi.waitFor(() => expect(states).toContain("connected"));
    const room = latestRoom();
    room.remoteParticipants.set("@ada#phone", { identity: "@ada#phone", attributes: { typing: "1" } });
    room.emit("participantAttributesChanged", {}, {});
    expect(typing.at(-1)).toEqual(["@ada"]);
    room.remoteParticipants.set("@ada#phone", { identity: "@ada#phone", attributes: {} });
    room.emit("participantAttributesChanged", {}, {});
    expect(typing.at(-1)).toEqual([]);
    link.setTyping(true);
    link.setTyping(true);
    expect(room.localParticipant.attributes).toEqual({ here: "1", typing: "1" });
    link.setTyping(false);
    expect(room.localParticipant.attributes).toEqual({ here: "1", typing: "" });
  });

  it("announces its arrival and its leaving through the here attribute; one that said it left is not online", async () => {
    fakeServer({ [TOKEN]: tokenRoute });
    const { presence, states, link } = listen();
    await vi.waitFor(() => expect(states).toContain("connected"));
    const room = latestRoom();
    expect(room.localParticipant.attributes).toEqual({ here: "1" });
    room.remoteParticipants.set("@ada#phone", { identity: "@ada#phone", attributes: { here: "1" } });
    room.emit("participantConnected", {});
    expect(presence.at(-1)).toEqual(["@me", "@ada"]);
    room.remoteParticipants.set("@ada#phone", { identity: "@ada#phone", attributes: { here: "0" } });
    room.emit("participantAttributesChanged", {}, {});
    expect(presence.at(-1)).toEqual(["@me"]);
    globalThis.dispatchEvent(new Event("pagehide"));
    expect(room.localParticipant.attributes).toEqual({ here: "0" });
    // Back from the back/forward cache, or a resumed connection: here again.
    globalThis.dispatchEvent(new Event("pageshow"));
    expect(room.localParticipant.attributes).toEqual({ here: "1" });
    globalThis.dispatchEvent(new Event("pagehide"));
    room.emit("reconnected");
    expect(room.localParticipant.attributes).toEqual({ here: "1" });
    link.close();
    expect(room.localParticipant.attributes).toEqual({ here: "0" });
  });

  it("sets attributes only while connected (the SDK refuses them otherwise); the join and the resumed connection say them", async () => {
    fakeServer({ [TOKEN]: tokenRoute });
    const { states, link } = listen();
    await vi.waitFor(() => expect(states).toContain("connected"));
    const room = latestRoom();
    const calls = vi.spyOn(room.localParticipant, "setAttributes");
    room.state = "reconnecting";
    link.setTyping(true);
    globalThis.dispatchEvent(new Event("pagehide"));
    expect(calls).not.toHaveBeenCalled();
    room.state = "connected";
    room.emit("reconnected");
    expect(room.localParticipant.attributes).toEqual({ here: "1", typing: "1" });
  });

  it("stays in the room when another tab of the same being joins (each connection has its own identity)", async () => {
    fakeServer({ [TOKEN]: tokenRoute });
    const { states } = listen();
    await vi.waitFor(() => expect(states).toContain("connected"));
    latestRoom().remoteParticipants.set("@me#tab2", { identity: "@me#tab2" });
    latestRoom().emit("participantConnected", {});
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(states).toEqual(["connecting", "connected"]);
    expect(lk.FakeRoom.instances).toHaveLength(1);
  });

  it("leaves the room on close and ignores it afterwards", async () => {
    fakeServer({ [TOKEN]: tokenRoute });
    const { states, batches } = listen();
    await vi.waitFor(() => expect(states).toContain("connected"));
    const room = latestRoom();
    links[0].close();
    room.emit("dataReceived", await signedPacket(batch(6, 6, [])), undefined, 0, "sync", 0, "");
    room.emit("disconnected");
    expect(room.disconnected).toBe(true);
    expect(batches).toHaveLength(0);
    expect(states).toEqual(["connecting", "connected"]);
  });
});
