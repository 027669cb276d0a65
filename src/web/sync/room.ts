/**
 * The LiveKit connection for one space: it only listens. It turns server-sent data packets into
 * SyncBatches, participants (one per connection: `<being>#<connection>`) into the set of beings
 * online, and the connection into a LinkState. It hands the Room itself to whoever publishes media
 * in it (src/web/media), which is loaded only when someone does.
 * It owns reconnection (always with a fresh token); catching up after a reconnect is the caller's job.
 */
import type { Room } from "livekit-client";
import type { BeingId } from "../../shared/entities.ts";
import { ApiError } from "../../shared/errors.ts";
import { beingOfIdentity, HERE_ATTRIBUTE, TYPING_ATTRIBUTE } from "../../shared/presence.ts";
import { SYNC_TOPIC, type SyncBatch } from "../../shared/sync.ts";
import { getSyncToken, OfflineError } from "../api.ts";
import { nextTask } from "../scheduling.ts";
import { backoff, type Backoff } from "./backoff.ts";

/**
 * `off` means live sync is unavailable (no LiveKit configured, or it keeps failing): the caller
 * should poll. The link keeps trying in the background and reports `connected` when it succeeds.
 */
export type LinkState = "connecting" | "connected" | "reconnecting" | "offline" | "off";

/** Who is in the room: beings with at least one connection, and those composing a message (display only). */
export interface RoomPresence {
  online: ReadonlySet<BeingId>;
  typing: ReadonlySet<BeingId>;
  /** Beings publishing a camera, microphone or screen: the page loads the media code when there are any. */
  media: ReadonlySet<BeingId>;
}

export interface RoomHandlers {
  onBatch(batch: SyncBatch): void;
  onState(state: LinkState): void;
  onPresence(presence: RoomPresence): void;
  /** The connected Room, for media; undefined while there is none (connecting, or closed). */
  onRoom?(room: Room | undefined): void;
}

export interface RoomLink {
  /** Says through this connection's `typing` attribute whether its person is composing; no HTTP request. */
  setTyping(typing: boolean): void;
  close(): void;
}

export interface RoomOptions {
  delays?: Backoff;
  /** Failed connection attempts in a row before the link reports `off`. */
  failuresBeforeOff?: number;
}

interface ParticipantLike {
  identity: string;
  attributes?: Readonly<Record<string, string>>;
  trackPublications?: { size: number };
}

/**
 * The beings behind a room's participants: a being is online while any of its connections is there,
 * and typing while any of them says so (attributes are set by clients, so they only ever decide
 * what is displayed).
 */
export function presenceOf(participants: Iterable<ParticipantLike>): RoomPresence {
  const online = new Set<BeingId>();
  const typing = new Set<BeingId>();
  const media = new Set<BeingId>();
  for (const participant of participants) {
    const being = beingOfIdentity(participant.identity);
    if (!being || participant.attributes?.[HERE_ATTRIBUTE] === "0") continue;
    online.add(being);
    if (participant.attributes?.[TYPING_ATTRIBUTE] === "1") typing.add(being);
    if (participant.trackPublications?.size) media.add(being);
  }
  return { online, typing, media };
}

export const NOBODY: RoomPresence = { online: new Set(), typing: new Set(), media: new Set() };

/** Opens (and keeps open) the space's room; call `close` to leave it. */
export function openRoom(spaceId: BeingId, handlers: RoomHandlers, options: RoomOptions = {}): RoomLink {
  const delays = options.delays ?? backoff(1_000, 30_000);
  const failuresBeforeOff = options.failuresBeforeOff ?? 3;
  let room: Room | undefined;
  let state: LinkState | undefined;
  let failures = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  let typing = false;

  /**
   * Publishes this connection's attributes (an attribute set to "" is removed); failures only cost display.
   * Only while connected: before that the SDK refuses (and logs an error), and the join announces anyway.
   */
  const publish = (target: Room | undefined, attributes: Record<string, string>) => {
    if ((target?.state as string | undefined) !== "connected") return;
    target!.localParticipant.setAttributes(attributes).catch(() => undefined);
  };
  // Said before the SDK disconnects on the same events (its listeners are added at connect, after
  // these; the microtasks between two listeners carry our request onto the socket first), so the
  // others see the leave at once rather than at LiveKit's next batch.
  const leaving = () => publish(room, { [HERE_ATTRIBUTE]: "0" });
  const PAGE_LEAVE = ["beforeunload", "pagehide"] as const;
  for (const event of PAGE_LEAVE) globalThis.addEventListener?.(event, leaving);
  // Here again (with the typing state) after a join, a resumed connection, or a page brought back
  // from the back/forward cache: a "0" must not outlive the leave it announced.
  const announce = (target: Room | undefined) =>
    publish(target, { [HERE_ATTRIBUTE]: "1", ...(typing ? { [TYPING_ATTRIBUTE]: "1" } : {}) });
  const back = () => announce(room);
  globalThis.addEventListener?.("pageshow", back);

  const report = (next: LinkState) => {
    if (next === state || closed) return;
    state = next;
    handlers.onState(next);
  };

  // Once `off`, the caller is polling: background attempts must not flip it back until one succeeds.
  // Being offline says nothing about LiveKit, so it does not count towards `off`.
  const failed = (next: LinkState, permanent = false) => {
    if (next !== "offline") failures += 1;
    report(state === "off" || permanent || failures >= failuresBeforeOff ? "off" : next);
    timer = setTimeout(connect, delays.next());
  };

  async function connect(): Promise<void> {
    if (closed) return;
    if (state !== "off") report(failures === 0 && !room ? "connecting" : "reconnecting");
    let token;
    try {
      token = await getSyncToken(spaceId);
    } catch (error) {
      if (error instanceof OfflineError) return failed("offline");
      // 503 is how the server says LiveKit is not configured; no point in fast retries.
      return failed("reconnecting", error instanceof ApiError && error.code === "UNAVAILABLE");
    }
    if (!token.url) return failed("off", true);
    // Loaded on first use: LiveKit is most of the app's weight, and the snapshot can paint without it.
    const [{ Room, RoomEvent, setLogLevel }, { default: superjson }] = await Promise.all([
      import("livekit-client"),
      import("superjson"),
    ]);
    // Evaluating the SDK, making the room and connecting are each a sizeable task on a phone: run apart,
    // they let the page paint and answer input in between instead of blocking it for their sum.
    await nextTask();
    if (closed) return;
    // The SDK narrates every connection step at info level; only problems belong in the console.
    setLogLevel("warn");
    // Two peer connections (LiveKit's classic mode) rather than one: the single-connection mode lays out
    // a publisher at connect (data channels, audio and video transceivers), a long task on the main
    // thread (about 0.5 s on a throttled phone) that every visitor pays, though most never publish.
    // Media (src/web/media) is subscribed only while shown: adaptiveStream sizes each video to its element,
    // dynacast stops sending the layers nobody watches. Neither costs a listener anything.
    const next = new Room({ adaptiveStream: true, dynacast: true, singlePeerConnection: false });
    withoutAudioContextAtConnect(next);
    let joined = false;
    const presence = () => {
      if (room !== next) return;
      handlers.onPresence(presenceOf([next.localParticipant, ...next.remoteParticipants.values()]));
    };
    next
      .on(RoomEvent.DataReceived, (payload, participant, _kind, topic, _encryption, participantIdentity) => {
        // Clients hold no right to publish data; anything a participant sent is not ours to trust.
        if (room !== next || topic !== SYNC_TOPIC || participant || participantIdentity) return;
        const batch = decode(payload, spaceId, (text) => superjson.parse(text));
        if (batch) handlers.onBatch(batch);
      })
      .on(RoomEvent.ParticipantConnected, presence)
      .on(RoomEvent.ParticipantDisconnected, presence)
      .on(RoomEvent.ParticipantAttributesChanged, presence)
      .on(RoomEvent.TrackPublished, presence)
      .on(RoomEvent.TrackUnpublished, presence)
      .on(RoomEvent.LocalTrackPublished, presence)
      .on(RoomEvent.LocalTrackUnpublished, presence)
      .on(RoomEvent.Reconnecting, () => room === next && report("reconnecting"))
      .on(RoomEvent.SignalReconnecting, () => room === next && report("reconnecting"))
      .on(RoomEvent.Reconnected, () => {
        if (room !== next) return;
        report("connected");
        announce(next);
      })
      .on(RoomEvent.Disconnected, () => {
        // Before `joined`, a failed connect is handled where `connect` rejects, not twice.
        if (!joined || room !== next || closed) return;
        room = undefined;
        handlers.onPresence(NOBODY);
        handlers.onRoom?.(undefined);
        // The SDK gave up on resuming: start over with a fresh token (and so a new connection identity).
        failed("reconnecting");
      });
    await nextTask();
    if (closed) return;
    try {
      room = next;
      await next.connect(token.url, token.token, { autoSubscribe: false });
    } catch {
      room = undefined;
      void next.disconnect();
      return failed("reconnecting");
    }
    if (closed) return void next.disconnect();
    joined = true;
    failures = 0;
    delays.reset();
    report("connected");
    presence();
    handlers.onRoom?.(next);
    announce(next);
  }

  void connect();
  return {
    setTyping(next) {
      if (next === typing) return;
      typing = next;
      publish(room, { [TYPING_ATTRIBUTE]: typing ? "1" : "" });
    },
    close() {
      closed = true;
      clearTimeout(timer);
      for (const event of PAGE_LEAVE) globalThis.removeEventListener?.(event, leaving);
      globalThis.removeEventListener?.("pageshow", back);
      const current = room;
      room = undefined;
      publish(current, { [HERE_ATTRIBUTE]: "0" });
      void current?.disconnect();
    },
  };
}

/**
 * livekit-client opens an AudioContext on every connect, to unlock audio playback early. The first one
 * in a page is a long task (55–86 ms here, the largest part of joining a space: Lighthouse's blocking
 * time fell from about 480 to 200 ms without it), and a person who only reads plays nothing. So the room
 * joins without one: remote audio plays through its elements as it does anyway (webAudioMix is off), a
 * refused playback shows "Turn on sound", and `startAudio()` behind it makes the context then. The
 * method is the SDK's own, private one (2.23); should it go, the room simply makes its context again.
 */
function withoutAudioContextAtConnect(room: Room): void {
  const internals = room as unknown as { acquireAudioContext?: (forConnect?: boolean) => Promise<void> };
  const acquire = internals.acquireAudioContext;
  if (typeof acquire !== "function") return;
  internals.acquireAudioContext = (forConnect = false) => (forConnect ? Promise.resolve() : acquire.call(room, forConnect));
}

/** Reads a packet as a SyncBatch for this space; anything else (malformed, another space) is dropped. */
function decode(payload: Uint8Array, spaceId: BeingId, parse: (text: string) => unknown): SyncBatch | undefined {
  try {
    const batch = parse(new TextDecoder().decode(payload)) as SyncBatch | undefined;
    const valid =
      batch?.v === 1 &&
      batch.space === spaceId &&
      Number.isInteger(batch.from) &&
      Number.isInteger(batch.to) &&
      Array.isArray(batch.changes);
    return valid ? batch : undefined;
  } catch {
    return undefined;
  }
}
