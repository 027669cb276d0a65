/** Who is here in a space: present, or away until they age out of the list (unknown while presence is). */
import { createMemo, createSignal, onCleanup } from "solid-js";
import type { BeingId } from "../../../shared/entities.ts";
import { groupHere } from "../../components/people.tsx";
import type { Presence } from "../../profile/open-profile.ts";
import type { SpaceSync } from "../../sync/store.ts";

/** The people panel's groups, from the space's sync and presence. */
export function createHere(sync: SpaceSync, meId: BeingId) {
  // Presence comes from the LiveKit room: without it (reconnecting, polling, offline) nobody can be shown as away.
  const presenceKnown = () => sync.connection() === "connected";
  // The away group ages: someone who left drops out of it once the listing window has passed.
  const [now, setNow] = createSignal(Date.now());
  const clock = setInterval(() => setNow(Date.now()), 30_000);
  onCleanup(() => clearInterval(clock));
  const groups = createMemo(() =>
    groupHere({
      beings: sync.view?.beings ?? {},
      online: presenceKnown() ? sync.presence().online : null,
      lastSeen: sync.lastSeen(),
      awayListedSeconds: sync.awayListedSeconds(),
      meId,
      now: now(),
    }),
  );
  /** Whether a person is online or away, as the panel shows them; undefined when unknown (and for bots). */
  const presenceOf = (id: BeingId): Presence | undefined => {
    const { here, away } = groups();
    if (away.some((being) => being.id === id)) return "away";
    if (presenceKnown() && here.some((being) => being.id === id && being.type === "guest")) return "online";
    return undefined;
  };
  return { presenceKnown, groups, presenceOf };
}
