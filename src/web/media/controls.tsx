/**
 * The switches for microphone, camera and screen, each showing whether it is on, with a picker of the
 * device to use once the browser has named them (it does after the first permission). Turning one off
 * unpublishes and stops the track, so the device is released and the orb goes for everyone.
 */
import type { Room } from "livekit-client";
import { createSignal, For, onCleanup, onMount, Show } from "solid-js";
import { MEDIA_KINDS, published, SOURCE_OF, type MediaKind } from "./kinds.ts";
import type { RoomMedia } from "./room-state.ts";
import { whyNot } from "./why-not.ts";

const DEVICE: Partial<Record<MediaKind, MediaDeviceKind>> = { microphone: "audioinput", camera: "videoinput" };

export interface ControlsProps {
  room: Room;
  media: RoomMedia;
  /** A switch pressed before this code was loaded: turned on as soon as it is. */
  request?: MediaKind;
}

/** The voice and video switches of this connection. */
export function Controls(props: ControlsProps) {
  const room = props.room;
  const me = room.localParticipant;
  const [busy, setBusy] = createSignal<ReadonlySet<MediaKind>>(new Set());
  const [errors, setErrors] = createSignal<Partial<Record<MediaKind, string>>>({});
  const [devices, setDevices] = createSignal<Partial<Record<MediaKind, MediaDeviceInfo[]>>>({});
  const [chosen, setChosen] = createSignal<Partial<Record<MediaKind, string>>>({});

  const isOn = (kind: MediaKind) => (props.media.changed(), published(me, SOURCE_OF[kind]) !== undefined);
  const mark = (kind: MediaKind, on: boolean) =>
    setBusy((set) => {
      const next = new Set(set);
      if (on) next.add(kind);
      else next.delete(kind);
      return next;
    });

  /** Lists the devices the browser names; before any permission it names none, and no picker shows. */
  async function listDevices() {
    // mediaDevices is absent outside secure contexts.
    const all = (await navigator.mediaDevices?.enumerateDevices().catch(() => [])) ?? [];
    const found: Partial<Record<MediaKind, MediaDeviceInfo[]>> = {};
    for (const kind of ["microphone", "camera"] as const) {
      found[kind] = all.filter((device) => device.kind === DEVICE[kind] && device.deviceId && device.label);
    }
    setDevices(found);
  }
  room.on("mediaDevicesChanged", listDevices);
  onCleanup(() => void room.off("mediaDevicesChanged", listDevices));

  async function toggle(kind: MediaKind) {
    if (busy().has(kind)) return;
    mark(kind, true);
    setErrors((all) => ({ ...all, [kind]: undefined }));
    try {
      const track = published(me, SOURCE_OF[kind])?.track;
      const deviceId = chosen()[kind];
      const device = deviceId ? { deviceId } : undefined;
      // Off unpublishes (the orb goes for everyone) and stops the track (the device's light goes out);
      // the screen's way also takes its sound with it.
      if (track) await (kind === "screen" ? me.setScreenShareEnabled(false) : me.unpublishTrack(track));
      else if (kind === "screen") await me.setScreenShareEnabled(true, { audio: true });
      else if (kind === "camera") await me.setCameraEnabled(true, device);
      else await me.setMicrophoneEnabled(true, device);
      if (!track && kind !== "screen") await listDevices();
    } catch (error) {
      setErrors((all) => ({ ...all, [kind]: whyNot(kind, error) }));
    } finally {
      mark(kind, false);
    }
  }

  async function choose(kind: MediaKind, deviceId: string) {
    setChosen((all) => ({ ...all, [kind]: deviceId }));
    if (isOn(kind)) await room.switchActiveDevice(DEVICE[kind]!, deviceId).catch((error) => setErrors((all) => ({ ...all, [kind]: whyNot(kind, error) })));
  }

  onMount(() => {
    void listDevices();
    if (props.request) void toggle(props.request);
  });

  const blocked = () => (props.media.changed(), !room.canPlaybackAudio);
  return (
    <div class="media-controls" role="group" aria-label="Voice and video">
      <For each={MEDIA_KINDS}>
        {(entry) => (
          <span class="media-switch">
            <button
              type="button"
              class="button small quiet"
              aria-pressed={isOn(entry.kind)}
              aria-busy={busy().has(entry.kind)}
              onClick={() => void toggle(entry.kind)}
            >
              {entry.label}
              <span class="switch-state" aria-hidden="true">
                {busy().has(entry.kind) ? "…" : isOn(entry.kind) ? "on" : "off"}
              </span>
            </button>
            <Show when={(devices()[entry.kind]?.length ?? 0) > 0}>
              <select
                class="input small device-picker"
                aria-label={`${entry.label} to use`}
                value={(props.media.changed(), room.getActiveDevice(DEVICE[entry.kind]!)) ?? chosen()[entry.kind] ?? devices()[entry.kind]![0]!.deviceId}
                onChange={(event) => void choose(entry.kind, event.currentTarget.value)}
              >
                <For each={devices()[entry.kind]}>{(device) => <option value={device.deviceId}>{device.label}</option>}</For>
              </select>
            </Show>
          </span>
        )}
      </For>
      <Show when={blocked()}>
        <button type="button" class="button small primary" onClick={() => void room.startAudio()}>
          Turn on sound
        </button>
      </Show>
      <For each={MEDIA_KINDS.filter((entry) => errors()[entry.kind])}>
        {(entry) => (
          <p class="media-error" role="alert">
            {errors()[entry.kind]}
          </p>
        )}
      </For>
    </div>
  );
}
