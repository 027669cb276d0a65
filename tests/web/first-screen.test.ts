import { afterEach, beforeEach, expect, it, vi } from "vitest";

// The module holds one page's first screen: each test gets a fresh copy.
beforeEach(() => {
  vi.resetModules();
  vi.useFakeTimers();
});
afterEach(() => vi.useRealTimers());

const settledAfter = async (wait: Promise<void>) => {
  let settled = false;
  void wait.then(() => (settled = true));
  await vi.advanceTimersByTimeAsync(0);
  return () => settled;
};

it("lets what waits for the first screen go once the page says it is done", async () => {
  const { afterFirstScreen, firstScreenDone } = await import("../../src/web/first-screen.ts");
  const settled = await settledAfter(afterFirstScreen());
  await vi.advanceTimersByTimeAsync(5_000);
  expect(settled()).toBe(false);
  firstScreenDone();
  await vi.advanceTimersByTimeAsync(0);
  expect(settled()).toBe(true);
  // Asked after the fact, it goes at once.
  const late = await settledAfter(afterFirstScreen());
  expect(late()).toBe(true);
});

it("lets it go after ten seconds anyway, for a screen that never says so (a room that keeps trying)", async () => {
  const { afterFirstScreen } = await import("../../src/web/first-screen.ts");
  const settled = await settledAfter(afterFirstScreen());
  await vi.advanceTimersByTimeAsync(9_999);
  expect(settled()).toBe(false);
  await vi.advanceTimersByTimeAsync(1);
  expect(settled()).toBe(true);
});
