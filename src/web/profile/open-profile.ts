/** Opening a being's profile card from anywhere: the card's code is fetched the first time one opens. */
import type { BeingId } from "../../shared/entities.ts";

/** Whether a being is in the room now or was lately (only a space page connected to its room knows). */
export type Presence = "online" | "away";

export interface ProfileOptions {
  /** The being's presence where the card was opened; undefined when unknown. Read while the card is open. */
  presence?: () => Presence | undefined;
}

/**
 * Opens `id`'s profile card, a modal dialog (Esc closes it; focus goes back where it was). Rejects only
 * when the card's code cannot be fetched.
 */
export async function openProfile(id: BeingId, options: ProfileOptions = {}): Promise<void> {
  const { showProfile } = await import("./profile-card.tsx");
  showProfile(id, options);
}
