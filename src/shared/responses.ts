/** Bodies of the API's responses that both sides name: the worker returns them, the web client reads them. */
import type { Being, BeingId, Intention } from "./entities.ts";
import type { Change } from "./sync.ts";

/** GET /api/spaces/:id: the rows and the seq they are exactly current to. */
export interface SpaceSnapshot {
  space: Being;
  beings: Being[];
  intentions: Intention[];
  hasMore: boolean;
  seq: number;
  presence: SpacePresence;
}

/**
 * Who was here lately, beyond LiveKit's live participant list: when each being located here was
 * last connected to the room (now, for one connected), and how long an absent being stays listed.
 */
export interface SpacePresence {
  lastSeen: Record<BeingId, Date>;
  /** A being away longer than this is no longer listed as here (AWAY_LISTED_SECONDS). */
  awayListedSeconds: number;
}

/** GET /api/spaces/:id/changes */
export interface ChangesPage {
  changes: Change[];
  seq: number;
  hasMore: boolean;
}

/** GET /api/spaces/:id/intentions */
export interface HistoryPage {
  intentions: Intention[];
  hasMore: boolean;
}

/** POST /api/spaces/:id/intentions and PATCH /api/intentions/:id */
export interface WriteResult {
  intention: Intention;
  seq: number;
}

/** POST /api/spaces/:id/token */
export interface SyncToken {
  token: string;
  url: string;
  room: string;
  /** `<being id>#<connection id>`: one per connection. */
  identity: string;
}
