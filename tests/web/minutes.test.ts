import { describe, expect, it } from "vitest";
import { perMinute, WINDOW_MINUTES } from "../../src/web/operations/minutes.ts";
import { at, syncStats } from "./support/fixtures.ts";

describe("the last hour, a point a minute", () => {
  const { minutes } = syncStats();

  it("ends at the minute of the server's clock and fills a counter's quiet minutes with zero", () => {
    const calls = perMinute(minutes, at(59.5), (m) => m.counters.calls ?? 0, 0);
    expect(calls).toHaveLength(WINDOW_MINUTES);
    expect(calls[0]!.minute).toEqual(at(0));
    expect(calls.at(-1)!.minute).toEqual(at(59));
    expect(calls.filter((point) => point.value !== 0).map((point) => [point.minute, point.value])).toEqual([
      [at(50), 4],
      [at(58), 5],
      [at(59), 7],
    ]);
  });

  it("leaves a gauge's unsampled minutes as gaps (null), not zero, and keeps a sampled zero", () => {
    const pending = perMinute(minutes, at(59.5), (m) => m.pending, null);
    expect(pending.filter((point) => point.value !== null).map((point) => [point.minute, point.value])).toEqual([
      [at(50), 0],
      [at(58), 5],
    ]);
    expect(pending.at(-1)!.value).toBeNull();
  });

  it("drops minutes that fell out of the window since the server answered", () => {
    const later = perMinute(minutes, at(110.2), (m) => m.counters.calls ?? 0, 0);
    expect(later[0]!.minute).toEqual(at(51));
    expect(later.filter((point) => point.value !== 0).map((point) => point.value)).toEqual([5, 7]);
  });
});
