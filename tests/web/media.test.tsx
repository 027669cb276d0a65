import "@testing-library/jest-dom/vitest";
import { cleanup, fireEvent, render, screen, waitFor } from "@solidjs/testing-library";
import type { Room } from "livekit-client";
import { createSignal, Show } from "solid-js";
import { afterEach, describe, expect, it } from "vitest";
import type { BeingId } from "../../src/shared/entities.ts";
import { MediaDock } from "../../src/web/media/dock.tsx";
import { initials } from "../../src/web/media/orbs.tsx";
import { MediaPanel } from "../../src/web/media/panel.tsx";
import { whyNot } from "../../src/web/media/why-not.ts";

/**
 * The LiveKit Room is the network edge: this one keeps publications in maps and emits the SDK's
 * events by their names, as livekit-client does, and fails capture the way a browser would when asked to.
 */
class FakeRoom {
  listeners = new Map<string, Set<(...args: unknown[]) => void>>();
  remoteParticipants = new Map<string, unknown>();
  activeSpeakers: unknown[] = [];
  canPlaybackAudio = true;
  captureFails?: DOMException;
  asked: string[] = [];
  localParticipant = {
    identity: "@ada#tab",
    isLocal: true,
    isSpeaking: false,
    trackPublications: new Map<string, { source: string; track: object; isMuted: boolean }>(),
    getTrackPublication: (source: string) => [...this.localParticipant.trackPublications.values()].find((p) => p.source === source),
    setMicrophoneEnabled: (on: boolean) => this.capture("microphone", on),
    setCameraEnabled: (on: boolean) => this.capture("camera", on),
    setScreenShareEnabled: (on: boolean) => this.capture("screen_share", on),
    unpublishTrack: async (track: object) => {
      for (const [sid, publication] of this.localParticipant.trackPublications) if (publication.track === track) this.localParticipant.trackPublications.delete(sid);
      this.emit("localTrackUnpublished");
    },
  };
  on(event: string, listener: (...args: unknown[]) => void) {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event)!.add(listener);
    return this;
  }
  off(event: string, listener: (...args: unknown[]) => void) {
    this.listeners.get(event)?.delete(listener);
    return this;
  }
  emit(event: string) {
    for (const listener of this.listeners.get(event) ?? []) listener();
  }
  getActiveDevice() {
    return undefined;
  }
  async startAudio() {
    this.canPlaybackAudio = true;
    this.emit("audioPlaybackChanged");
  }
  async capture(source: string, on: boolean) {
    this.asked.push(source);
    if (this.captureFails) throw this.captureFails;
    if (on) this.localParticipant.trackPublications.set(source, { source, track: { attach() {}, detach() {} }, isMuted: false });
    else this.localParticipant.trackPublications.delete(source);
    this.emit(on ? "localTrackPublished" : "localTrackUnpublished");
  }
}

const author = (id: BeingId) => ({ "@ada": "Ada Lovelace", "@bob": "Bob" })[id as "@ada"] ?? id;

/** Someone else in the room publishing `sources`, recording each (un)subscription the page asks for. */
function remote(identity: string, sources: string[], asked: string[]) {
  const trackPublications = new Map(
    sources.map((source) => [`TR_${source}`, { source, isMuted: false, track: undefined, setSubscribed: (on: boolean) => asked.push(`${source} ${on ? "on" : "off"}`) }]),
  );
  return {
    identity,
    isLocal: false,
    isSpeaking: false,
    trackPublications,
    getTrackPublication: (source: string) => [...trackPublications.values()].find((p) => p.source === source),
  };
}

function dock(room: FakeRoom | undefined) {
  const [current, setCurrent] = createSignal(room as unknown as Room | undefined);
  render(() => <MediaDock room={current()} publishing={false} author={author} />);
  return setCurrent;
}

afterEach(cleanup);

const switchOf = (name: string) => screen.getByRole("button", { name: new RegExp(`^${name}`) });

describe("the voice and video switches", () => {
  it("hold their place but cannot be pressed until the room is connected, then are three switches, all off, asking for nothing", async () => {
    const room = new FakeRoom();
    const connect = dock(undefined);
    // There from the start, so that the conversation below does not move when the room connects.
    for (const name of ["Microphone", "Camera", "Share screen"]) expect(switchOf(name)).toBeDisabled();
    connect(room as unknown as Room);
    for (const name of ["Microphone", "Camera", "Share screen"]) {
      expect(switchOf(name)).toBeEnabled();
      expect(switchOf(name)).toHaveAttribute("aria-pressed", "false");
    }
    expect(room.asked).toEqual([]);
  });

  it("turn on what was pressed once the media code is loaded, show it pressed with an orb, and off again", async () => {
    const room = new FakeRoom();
    dock(room);
    fireEvent.click(switchOf("Microphone"));
    await waitFor(() => expect(switchOf("Microphone")).toHaveAttribute("aria-pressed", "true"), { timeout: 10_000 });
    await waitFor(() => expect(switchOf("Microphone")).toHaveAttribute("aria-busy", "false"));
    expect(room.asked).toEqual(["microphone"]);
    expect(switchOf("Camera")).toHaveAttribute("aria-pressed", "false");
    const orb = screen.getByRole("list", { name: "On voice and video" }).querySelector(".orb")!;
    expect(orb).toHaveTextContent("AL");
    expect(orb).toHaveTextContent("Ada Lovelace: microphone on");
    fireEvent.click(switchOf("Microphone"));
    await waitFor(() => expect(switchOf("Microphone")).toHaveAttribute("aria-pressed", "false"));
    expect(screen.queryByRole("list", { name: "On voice and video" })).toBeNull();
  });

  it("say why nothing happened when the browser refuses the camera, and leave it off", async () => {
    const room = new FakeRoom();
    room.captureFails = new DOMException("Permission denied", "NotAllowedError");
    dock(room);
    fireEvent.click(switchOf("Camera"));
    const alert = await screen.findByRole("alert", undefined, { timeout: 10_000 });
    expect(alert).toHaveTextContent(/blocked the camera for this site, so nothing was turned on\. Allow it/);
    expect(switchOf("Camera")).toHaveAttribute("aria-pressed", "false");
    expect(screen.queryByRole("list", { name: "On voice and video" })).toBeNull();
  });
});

describe("the orbs", () => {
  it("subscribe to a person's tracks only while they are shown: a track that ends, or a call that closes, is let go", () => {
    const room = new FakeRoom();
    const asked: string[] = [];
    const bob = remote("@bob#tab", ["camera", "microphone"], asked);
    room.remoteParticipants.set(bob.identity, bob);
    const [open, setOpen] = createSignal(true);
    render(() => (
      <Show when={open()}>
        <MediaPanel room={room as unknown as Room} author={author} />
      </Show>
    ));
    expect(asked.sort()).toEqual(["camera on", "microphone on"]);
    expect(screen.getByRole("list", { name: "On voice and video" })).toHaveTextContent("Bob: camera on, microphone on");
    bob.trackPublications.delete("TR_camera");
    room.emit("trackUnpublished");
    expect(asked.slice(2)).toEqual(["camera off"]);
    expect(screen.getByRole("list", { name: "On voice and video" })).toHaveTextContent("BBob: microphone on");
    setOpen(false);
    expect(asked.slice(3)).toEqual(["microphone off"]);
  });

  it("open a shared screen large, subscribed while shown", () => {
    const room = new FakeRoom();
    const asked: string[] = [];
    room.remoteParticipants.set("@bob#tab", remote("@bob#tab", ["screen_share"], asked));
    render(() => <MediaPanel room={room as unknown as Room} author={author} />);
    expect(screen.getByRole("figure")).toHaveTextContent("Bob's screen");
    expect(screen.getByRole("figure").querySelector("video.screen-video")).not.toBeNull();
    expect(asked).toEqual(["screen_share on"]);
  });

  it("offer to turn the sound on where the browser blocked playing it without a click", async () => {
    const room = new FakeRoom();
    room.canPlaybackAudio = false;
    room.remoteParticipants.set("@bob#tab", remote("@bob#tab", ["microphone"], []));
    render(() => <MediaPanel room={room as unknown as Room} author={author} />);
    fireEvent.click(screen.getByRole("button", { name: "Turn on sound" }));
    await waitFor(() => expect(screen.queryByRole("button", { name: "Turn on sound" })).toBeNull());
    expect(room.canPlaybackAudio).toBe(true);
  });
});

describe("why a switch did not turn on", () => {
  it("names the cause and the way out for each failure a browser reports", () => {
    const failure = (name: string) => new DOMException("", name);
    expect(whyNot("microphone", failure("NotAllowedError"))).toMatch(/blocked the microphone.*Allow it in the site's permissions/);
    expect(whyNot("screen", failure("NotAllowedError"))).toMatch(/^Nothing is shared: choosing a screen was cancelled or blocked/);
    expect(whyNot("camera", failure("NotFoundError"))).toBe("No camera was found. Connect one, or pick another in the list, and try again.");
    expect(whyNot("camera", failure("NotReadableError"))).toMatch(/another app may be using it/);
    expect(whyNot("camera", new Error("boom"))).toBe("The camera could not be turned on: boom");
  });

  it("draws up to two initials", () => {
    expect(initials("Ada Lovelace Byron")).toBe("AL");
    expect(initials("  bob ")).toBe("B");
    expect(initials("")).toBe("?");
  });
});
