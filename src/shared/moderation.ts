/** Reading the moderation facts a space's snapshot carries (removal_rights in the worker's rulebook). */
import type { BeingId } from "./entities.ts";
import type { Moderation } from "./responses.ts";

/** Whether the facts let the viewer remove a message owned by `ownerId`: no rule here, only the server's answer read. */
export const offersRemoval = (facts: Moderation | undefined, ownerId: BeingId): boolean =>
  facts !== undefined && (facts.removeAny || facts.removeOwnedBy.includes(ownerId));
