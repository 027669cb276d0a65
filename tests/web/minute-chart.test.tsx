import "@testing-library/jest-dom/vitest";
import { cleanup, render, screen } from "@solidjs/testing-library";
import { afterEach, describe, expect, it } from "vitest";
import { MinuteChart } from "../../src/web/components/minute-chart.tsx";
import { perMinute } from "../../src/web/operations/minutes.ts";
import { at, syncStats } from "./support/fixtures.ts";

afterEach(cleanup);

const { minutes } = syncStats();
const calls = perMinute(minutes, at(59.5), (m) => m.counters.calls ?? 0, 0);
const pending = perMinute(minutes, at(59.5), (m) => m.pending, null);

const bars = (chart: Element) => [...chart.querySelectorAll("rect.chart-bar")] as SVGRectElement[];
const height = (bar: SVGRectElement) => Number(bar.getAttribute("height"));

describe("a chart of the last hour", () => {
  it("draws a bar for each of the 60 minutes of a counter, the quiet ones as slivers, and names its figures", () => {
    render(() => <MinuteChart title="Broadcasts per minute" points={calls} />);
    const chart = screen.getByRole("img", { name: "Broadcasts per minute: 7 this minute; at most 7 in the last hour" });
    expect(bars(chart)).toHaveLength(60);
    expect(bars(chart).filter((bar) => !bar.classList.contains("zero")).map(height)).toEqual([40, 50, 70]);
    expect(chart.querySelector("line.chart-limit")).toBeNull();
  });

  it("leaves gaps where a gauge was not sampled, and says how old its latest sample is", () => {
    render(() => <MinuteChart title="Pending changes" points={pending} />);
    const chart = screen.getByRole("img", { name: "Pending changes: 5, 1 min ago; at most 5 in the last hour" });
    expect(bars(chart)).toHaveLength(2);
    expect(screen.getByText("5", { selector: ".chart-latest" })).toBeInTheDocument();
  });

  it("draws a budget as a dashed line at its height and names it", () => {
    render(() => <MinuteChart title="LiveKit calls per minute" points={calls} limit={9} note="budget 9 a minute" />);
    const chart = screen.getByRole("img", { name: /^LiveKit calls per minute: 7 this minute; at most 7 in the last hour; budget 9 a minute$/ });
    const line = chart.querySelector("line.chart-limit")!;
    // The scale tops out at 10 (a round number above the budget): the line sits a tenth down from the top.
    expect(line.getAttribute("y1")).toBe("10");
    expect(screen.getByText("10", { selector: ".chart-top" })).toBeInTheDocument();
  });

  it("draws a second figure as ticks across the bars, on one scale, and names its latest", () => {
    const p50 = perMinute(minutes, at(59.5), (m) => (m.pending === null ? null : m.pending * 4), null);
    render(() => <MinuteChart title="Lag" points={pending} ticks={{ label: "p50", points: p50 }} />);
    const chart = screen.getByRole("img", { name: "Lag: 5, 1 min ago; at most 5 in the last hour; p50 20 lately" });
    // The ticks reach 20, so the scale tops out at 20 and the bar of 5 stands a quarter high.
    expect([...chart.querySelectorAll("line.chart-tick")].map((tick) => tick.getAttribute("y1"))).toEqual(["100", "0"]);
    expect(bars(chart).map(height)).toEqual([1, 25]);
  });

  it("says when a gauge had no sample all hour", () => {
    render(() => <MinuteChart title="Rooms occupied" points={perMinute([], at(59.5), (m) => m.occupiedRooms, null)} />);
    expect(screen.getByRole("img", { name: "Rooms occupied: no samples in the last hour" })).toBeInTheDocument();
    expect(screen.getByText("–", { selector: ".chart-latest" })).toBeInTheDocument();
  });
});
