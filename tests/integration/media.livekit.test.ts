// What a person's join token lets them publish, tried against the real livekit-server with rtc-node:
// camera, microphone and screen go through to the others; a track of any other source and any data
// packet (on any topic, reliable or lossy) are refused by the server and reach nobody.
import {
  AudioSource,
  LocalAudioTrack,
  LocalVideoTrack,
  Room,
  RoomEvent,
  TrackPublishOptions,
  TrackSource,
  VideoSource,
  type LocalTrack,
  type RemoteParticipant,
  type RemoteTrackPublication,
} from "@livekit/rtc-node";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { eventually, StackClient } from "./http.ts";

const stack = inject("stack");

interface Joined {
  room: Room;
  identity: string;
  published: Array<{ from: string; source: TrackSource }>;
  /** Data packets received: `from` is the sending participant (undefined for the server, or a join not announced yet). */
  data: Array<{ from: string | undefined; topic: string | undefined; payload: Uint8Array }>;
}

/** A guest in the space's room with the token the app hands out, recording what the others publish and send. */
async function join(space: string, name: string): Promise<Joined> {
  const client = await StackClient.guest(stack.url, name);
  const { body } = await client.request("POST", `/api/spaces/${space}/token`);
  const joined: Joined = { room: new Room(), identity: body.identity, published: [], data: [] };
  joined.room
    .on(RoomEvent.TrackPublished, (publication: RemoteTrackPublication, participant: RemoteParticipant) =>
      joined.published.push({ from: participant.identity, source: publication.source! }),
    )
    .on(RoomEvent.DataReceived, (payload: Uint8Array, participant?: RemoteParticipant, _kind?: unknown, topic?: string) =>
      joined.data.push({ from: participant?.identity, topic, payload }),
    );
  await joined.room.connect(body.url, body.token, { autoSubscribe: false, dynacast: false });
  return joined;
}

const audioTrack = (name: string) => LocalAudioTrack.createAudioTrack(name, new AudioSource(48_000, 1));
const videoTrack = (name: string) => LocalVideoTrack.createVideoTrack(name, new VideoSource(320, 240));

/** Publishes, and says how it ended: the server answers an allowed track at once and never answers a refused one. */
function publish(who: Joined, track: LocalTrack, source: TrackSource): Promise<"published" | "refused" | "no answer"> {
  return Promise.race([
    who.room.localParticipant!.publishTrack(track, new TrackPublishOptions({ source })).then(
      () => "published" as const,
      () => "refused" as const,
    ),
    new Promise<"no answer">((resolve) => setTimeout(() => resolve("no answer"), 12_000)),
  ]);
}

describe("what a person's token may publish in a space's room", () => {
  let space: string;
  let publisher: Joined;
  let watcher: Joined;

  beforeAll(async () => {
    const host = await StackClient.guest(stack.url, "Host");
    space = (await host.request("POST", "/api/beings", { name: "Media grants", type: "space" })).body.being.id;
    [publisher, watcher] = await Promise.all([join(space, "Publisher"), join(space, "Watcher")]);
  });
  afterAll(async () => {
    await Promise.all([publisher, watcher].map((who) => who?.room.disconnect()));
  });

  it("publishes a microphone, a camera and a screen, which the others see announced", async () => {
    expect(await publish(publisher, audioTrack("mic"), TrackSource.SOURCE_MICROPHONE)).toBe("published");
    expect(await publish(publisher, videoTrack("cam"), TrackSource.SOURCE_CAMERA)).toBe("published");
    expect(await publish(publisher, videoTrack("screen"), TrackSource.SOURCE_SCREENSHARE)).toBe("published");
    const sources = () => watcher.published.filter((p) => p.from === publisher.identity).map((p) => p.source);
    expect(await eventually(() => sources().length === 3, 10_000)).toBe(true);
    expect(sources().sort()).toEqual([TrackSource.SOURCE_CAMERA, TrackSource.SOURCE_MICROPHONE, TrackSource.SOURCE_SCREENSHARE].sort());
  });

  it("cannot publish a track of another source: the server never accepts it and nobody hears of it", async () => {
    const before = watcher.published.length;
    const outcome = await publish(publisher, audioTrack("mystery"), TrackSource.SOURCE_UNKNOWN);
    expect(outcome).not.toBe("published");
    expect([...publisher.room.localParticipant!.trackPublications.values()].map((p) => p.name)).not.toContain("mystery");
    // A later allowed track arrives, so anything announced before it would have arrived too.
    expect(await publish(publisher, audioTrack("screen audio"), TrackSource.SOURCE_SCREENSHARE_AUDIO)).toBe("published");
    expect(await eventually(() => watcher.published.length > before, 10_000)).toBe(true);
    expect(watcher.published.slice(before).map((p) => p.source)).toEqual([TrackSource.SOURCE_SCREENSHARE_AUDIO]);
  }, 30_000);

  it("may send data (a writer relays its own signed changes): the packet reaches the others, who trust only its signature", async () => {
    const local = publisher.room.localParticipant!;
    const bytes = new TextEncoder().encode("hello from a client");
    await local.publishData(bytes, { reliable: true, topic: "sync" });
    const text = (packet: { payload: Uint8Array }) => new TextDecoder().decode(packet.payload);
    expect(await eventually(() => watcher.data.some((packet) => text(packet) === "hello from a client"), 10_000)).toBe(true);
    // What a receiver then makes of an unsigned packet (nothing) is tested with the receive rule: tests/web/receive.test.ts,
    // tests/integration/sync.livekit.test.ts.
  });
});
