import { createRoot } from "solid-js";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../../src/shared/errors.ts";
import type { SyncStats } from "../../src/shared/responses.ts";
import { OfflineError } from "../../src/web/api.ts";
import { createLiveStats, type LiveStats } from "../../src/web/operations/live-stats.ts";
import { syncStats } from "./support/fixtures.ts";

const INTERVAL = 10;
let visibility: DocumentVisibilityState = "visible";
let live: LiveStats | undefined;

function setVisibility(state: DocumentVisibilityState) {
  visibility = state;
  document.dispatchEvent(new Event("visibilitychange"));
}

/** Starts the live figures against a server the test answers request by request. */
function poll() {
  const waiting: Array<{ resolve: (stats: SyncStats) => void; reject: (error: Error) => void }> = [];
  const read = vi.fn(() => new Promise<SyncStats>((resolve, reject) => waiting.push({ resolve, reject })));
  live = createRoot(() => createLiveStats({ read, intervalMs: INTERVAL }));
  /** Waits for request number `n` and gives it `outcome`. */
  const answer = async (n: number, outcome: SyncStats | Error) => {
    await vi.waitFor(() => expect(read).toHaveBeenCalledTimes(n));
    const request = waiting.shift()!;
    if (outcome instanceof Error) request.reject(outcome);
    else request.resolve(outcome);
  };
  return { live, read, answer };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeEach(() => {
  visibility = "visible";
  Object.defineProperty(document, "visibilityState", { configurable: true, get: () => visibility });
});
afterEach(() => live?.close());

describe("the operator page's live figures", () => {
  it("asks at once, then again an interval after each answer, each answer replacing the figures", async () => {
    const { live, answer } = poll();
    expect(live.status()).toBe("loading");
    const first = syncStats();
    await answer(1, first);
    await vi.waitFor(() => expect(live.stats()).toBe(first));
    expect(live.status()).toBe("live");
    expect(live.updatedAt()).toBeInstanceOf(Date);
    const second = syncStats({ rooms: { occupied: 9 } });
    await answer(2, second);
    await vi.waitFor(() => expect(live.stats()).toBe(second));
  });

  it("keeps the last figures and says they are stale while the server is unreachable or unavailable", async () => {
    const { live, answer } = poll();
    const stats = syncStats();
    await answer(1, stats);
    await answer(2, new OfflineError(new TypeError("Failed to fetch")));
    await vi.waitFor(() => expect(live.status()).toBe("stale"));
    expect(live.stats()).toBe(stats);
    await answer(3, new ApiError("UNAVAILABLE", "down"));
    await answer(4, stats);
    await vi.waitFor(() => expect(live.status()).toBe("live"));
  });

  it("on a refusal drops every figure and stops asking", async () => {
    const { live, read, answer } = poll();
    await answer(1, syncStats());
    await answer(2, new ApiError("FORBIDDEN", "superusers only"));
    await vi.waitFor(() => expect(live.status()).toBe("refused"));
    expect(live.stats()).toBeUndefined();
    await pause(INTERVAL * 5);
    expect(read).toHaveBeenCalledTimes(2);
  });

  it("sends nothing while the page is hidden, and asks at once when it is shown again", async () => {
    const { live, read, answer } = poll();
    setVisibility("hidden");
    await answer(1, syncStats());
    await vi.waitFor(() => expect(live.status()).toBe("live"));
    await pause(INTERVAL * 5);
    expect(read).toHaveBeenCalledTimes(1);
    setVisibility("visible");
    expect(read).toHaveBeenCalledTimes(2);
  });

  it("stops asking when the page is left", async () => {
    const { live, read, answer } = poll();
    await answer(1, syncStats());
    live.close();
    await pause(INTERVAL * 5);
    expect(read).toHaveBeenCalledTimes(1);
    expect(live.status()).toBe("live");
  });
});
