/**
 * The LiveKit connection for one space: it listens, and publishes only the writer's own signed batches
 * (relay.ts). It hands every packet on the sync topic to
 * the pump as it came, whoever LiveKit says sent it (the pump checks its signature and judges it with
 * `receive`), turns participants (one per
 * connection: `<being>#<connection>`) into the set of beings online, and the connection into a
 * LinkState. It hands the Room itself to whoever publishes media in it (src/web/media), which is
 * loaded only when someone does.
 * It owns reconnection (always with a fresh token); catching up after a reconnect is the caller's job.
 */
import type { Room } from "livekit-client";
import type { BeingId } from "../../shared/entities.ts";
import { ApiError } from "../../shared/errors.ts";
import { PERSONAL_TOPIC } from "../../shared/personal-notice.ts";
import { beingOfIdentity, HERE_ATTRIBUTE, TYPING_ATTRIBUTE } from "../../shared/presence.ts";
import { SYNC_TOPIC } from "../../shared/sync.ts";
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
  /** A packet the server sent on the sync topic, unread (see `receive` in src/shared/sync.ts). */
  /**
   * A packet on the sync topic; `sender`: the participant LiveKit names as its sender, if any (a writer
   * relaying; the server has none). A hint for counting and for muting a flooder, never for trust.
   */
  onPacket(packet: Uint8Array, sender: string | undefined): void;
  /** A packet on the personal topic: a notice for this being alone, unread (src/shared/personal-notice.ts). */
  onPersonalPacket?(packet: Uint8Array): void;
  onState(state: LinkState): void;
  onPresence(presence: RoomPresence): void;
  /** The connected Room, for media; undefined while there is none (connecting, or closed). */
  onRoom?(room: Room | undefined): void;
}

export interface RoomLink {
  /** Publishes a packet on the sync topic, reliable; rejects unless connected (relay.ts: a writer relays its own batches). */
  publish(packet: Uint8Array<ArrayBuffer>): Promise<void>;
  /** Whether this connection may publish data (the server takes it back from a flooder: POST /api/spaces/:id/muted). */
  mayPublish(): boolean;
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
  const here = hereAttributes(() => room);

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
    const livekit = await import("livekit-client");
    // Evaluating the SDK, quieting its loggers, making the room and connecting are each a sizeable task
    // on a phone: run apart, they let the page paint and answer input in between instead of blocking it
    // for their sum.
    await nextTask();
    // The SDK narrates every connection step at info level; only problems belong in the console. Each
    // of its loggers writes the level to localStorage.
    livekit.setLogLevel("warn");
    await nextTask();
    if (closed) return;
    const next = newRoom(livekit);
    let joined = false;
    listen(next, livekit.RoomEvent, {
      ...handlers,
      current: () => room === next,
      onState: report,
      onResumed: () => here.announce(next),
      onLost() {
        // Before `joined`, a failed connect is handled where `connect` rejects, not twice.
        if (!joined || closed) return;
        room = undefined;
        handlers.onPresence(NOBODY);
        handlers.onRoom?.(undefined);
        // The SDK gave up on resuming: start over with a fresh token (and so a new connection identity).
        failed("reconnecting");
      },
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
    handlers.onPresence(presenceOf(everyone(next)));
    handlers.onRoom?.(next);
    here.announce(next);
  }

  void connect();
  return {
    async publish(packet) {
      if (!room || state !== "connected") throw new Error("not connected to the room");
      await room.localParticipant.publishData(packet, { reliable: true, topic: SYNC_TOPIC });
    },
    mayPublish: () => room?.localParticipant.permissions?.canPublishData === true,
    setTyping: here.setTyping,
    close() {
      closed = true;
      clearTimeout(timer);
      const current = room;
      room = undefined;
      here.leave(current);
      void current?.disconnect();
    },
  };
}

type LiveKit = typeof import("livekit-client");

/** A Room as a listener needs it. */
function newRoom(livekit: LiveKit): Room {
  // Two peer connections (LiveKit's classic mode) rather than one: the single-connection mode lays out
  // a publisher at connect (data channels, three audio and three video transceivers, and an offer
  // holding them all, parsed and rewritten by the SDK), which at 4x doubled LiveKit's blocking time
  // (bench:long-tasks: a median of about 80 ms against 150–200) for visitors who mostly never publish.
  // In this mode the primary connection is the server's offer and the page opens its encryption
  // handshake: a server running full ICE, which knows the page only by its mDNS name, may not be
  // listening yet, and the retry comes a second later (see use_ice_lite in scripts/local/livekit.ts).
  // Media (src/web/media) is subscribed only while shown: adaptiveStream sizes each video to its element,
  // dynacast stops sending the layers nobody watches. Neither costs a listener anything.
  const room = new livekit.Room({ adaptiveStream: true, dynacast: true, singlePeerConnection: false });
  withoutAudioContextAtConnect(room);
  return room;
}

interface RoomListeners extends RoomHandlers {
  /** Whether this Room is still the link's (a replaced or closed one is ignored). */
  current(): boolean;
  /** The SDK resumed the connection. */
  onResumed(): void;
  /** The SDK gave up on the connection. */
  onLost(): void;
}

/** What a Room says, for the link: sync packets (data), who is here (presence), and how its connection fares. */
function listen(room: Room, RoomEvent: LiveKit["RoomEvent"], to: RoomListeners): void {
  const presence = () => to.current() && to.onPresence(presenceOf(everyone(room)));
  room
    .on(RoomEvent.DataReceived, (payload, participant, _kind, topic) => {
      // The sender says nothing about trust: a signed batch is good from anyone (a writer relays its
      // own), an unsigned one from nobody (the sender is unknown too until LiveKit announces its join).
      if (to.current() && topic === SYNC_TOPIC) to.onPacket(payload, participant?.identity);
      if (to.current() && topic === PERSONAL_TOPIC) to.onPersonalPacket?.(payload);
    })
    .on(RoomEvent.ParticipantConnected, presence)
    .on(RoomEvent.ParticipantDisconnected, presence)
    .on(RoomEvent.ParticipantAttributesChanged, presence)
    .on(RoomEvent.TrackPublished, presence)
    .on(RoomEvent.TrackUnpublished, presence)
    .on(RoomEvent.LocalTrackPublished, presence)
    .on(RoomEvent.LocalTrackUnpublished, presence)
    .on(RoomEvent.Reconnecting, () => to.current() && to.onState("reconnecting"))
    .on(RoomEvent.SignalReconnecting, () => to.current() && to.onState("reconnecting"))
    .on(RoomEvent.Reconnected, () => {
      if (!to.current()) return;
      to.onState("connected");
      to.onResumed();
    })
    .on(RoomEvent.Disconnected, () => to.current() && to.onLost());
}

const everyone = (room: Room) => [room.localParticipant, ...room.remoteParticipants.values()];

/**
 * This connection's own presence, said through its attributes: here (or leaving) and typing.
 * Attributes are published only while connected: before that the SDK refuses (and logs an error),
 * and the join announces anyway. Failures only cost display.
 */
function hereAttributes(current: () => Room | undefined) {
  let typing = false;
  // An attribute set to "" is removed.
  const publish = (target: Room | undefined, attributes: Record<string, string>) => {
    if ((target?.state as string | undefined) !== "connected") return;
    target!.localParticipant.setAttributes(attributes).catch(() => undefined);
  };
  // Said before the SDK disconnects on the same events (its listeners are added at connect, after
  // these; the microtasks between two listeners carry our request onto the socket first), so the
  // others see the leave at once rather than at LiveKit's next batch.
  const leaving = () => publish(current(), { [HERE_ATTRIBUTE]: "0" });
  const PAGE_LEAVE = ["beforeunload", "pagehide"] as const;
  for (const event of PAGE_LEAVE) globalThis.addEventListener?.(event, leaving);
  // Here again (with the typing state) after a join, a resumed connection, or a page brought back
  // from the back/forward cache: a "0" must not outlive the leave it announced.
  const announce = (target: Room | undefined) =>
    publish(target, { [HERE_ATTRIBUTE]: "1", ...(typing ? { [TYPING_ATTRIBUTE]: "1" } : {}) });
  const back = () => announce(current());
  globalThis.addEventListener?.("pageshow", back);
  return {
    announce,
    setTyping(next: boolean) {
      if (next === typing) return;
      typing = next;
      publish(current(), { [TYPING_ATTRIBUTE]: typing ? "1" : "" });
    },
    /** Says this connection is leaving `room` and stops listening to the page. */
    leave(room: Room | undefined) {
      for (const event of PAGE_LEAVE) globalThis.removeEventListener?.(event, leaving);
      globalThis.removeEventListener?.("pageshow", back);
      publish(room, { [HERE_ATTRIBUTE]: "0" });
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
