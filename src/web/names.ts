/** Names of beings not in the current space (authors who have left), each fetched once per page load. */
import { createStore } from "solid-js/store";
import type { BeingId } from "../shared/entities.ts";
import { getBeing, untilLoaded } from "./api.ts";

const [names, setNames] = createStore<Record<BeingId, string>>({});
const asked = new Set<BeingId>();

/** The being's name if known; asks the server the first time (reactive: re-runs when it arrives). */
export function nameOf(id: BeingId): string | undefined {
  if (!asked.has(id)) {
    asked.add(id);
    // Unreachable: asked again once back (see untilLoaded). Unreadable (it moved into a private space): the id will do.
    untilLoaded(() => getBeing(id)).then(
      (read) => setNames(id, read.being.name),
      () => undefined,
    );
  }
  return names[id];
}
