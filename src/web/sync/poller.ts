/** Polling that slows down while it brings no news: how the pump follows the changes endpoint while the room is not connected. */
import type { Backoff } from "./backoff.ts";

/** Runs `poll` until stopped, less often while it brings no news (it says whether it did). */
export function poller(delays: Backoff, poll: () => Promise<boolean>) {
  let polling = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const schedule = (delay: number) => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const news = await poll();
      if (!polling) return;
      if (news) delays.reset();
      schedule(delays.next());
    }, delay);
  };
  return {
    start() {
      if (polling) return;
      polling = true;
      delays.reset();
      schedule(delays.next());
    },
    stop() {
      polling = false;
      clearTimeout(timer);
    },
  };
}
