/** Retry delays that grow exponentially with jitter, shared by the room, the poller and the outbox. */

export interface Backoff {
  /** The delay before the next attempt, in ms; each call grows the next one. */
  next(): number;
  /** Start over from the shortest delay (after a success). */
  reset(): void;
}

/** Exponential backoff from `min` to `max` ms; jitter spreads clients out so a server restart is not met by a stampede. */
export function backoff(min = 500, max = 30_000, random: () => number = Math.random): Backoff {
  let attempt = 0;
  return {
    next() {
      const ceiling = Math.min(max, min * 2 ** attempt);
      attempt += 1;
      return Math.round(ceiling / 2 + (random() * ceiling) / 2);
    },
    reset() {
      attempt = 0;
    },
  };
}
