import "@testing-library/jest-dom/vitest";
import { cleanup, render, screen, within } from "@solidjs/testing-library";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { SyncStats } from "../../src/shared/responses.ts";
import { OperationsPage } from "../../src/web/pages/operations-page.tsx";
import { apiError, fakeServer, json } from "./support/fake-server.ts";
import { receiverMinute, space, syncStats } from "./support/fixtures.ts";

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

const LOBBY = { "GET /api/beings/%40intraliminal": () => json({ being: space("@intraliminal", { name: "Intraliminal" }) }) };

/** The page against a server whose stats endpoint answers `stats` (a Response for a failure). */
function open(stats: SyncStats | Response) {
  const server = fakeServer({ ...LOBBY, "GET /api/admin/stats": () => (stats instanceof Response ? stats : json(stats)) });
  render(() => <OperationsPage />);
  return server;
}

/** The headline figure under `label`, as a reader sees it. */
const figure = (label: string) => screen.getByText(label, { selector: "dt" }).nextElementSibling as HTMLElement;

describe("the operator page", () => {
  it("refuses a being that is not a superuser, and shows no figure", async () => {
    const server = open(apiError(403, "FORBIDDEN", "only a superuser may read the pipeline"));
    await screen.findByRole("heading", { name: "Only operators can see this page" });
    expect(screen.queryAllByRole("img")).toEqual([]);
    expect(screen.queryAllByRole("term")).toEqual([]);
    expect(screen.queryByRole("status")).toBeNull();
    expect(screen.getByRole("link", { name: "Go to the lobby" })).toHaveAttribute("href", "/@intraliminal");
    expect(server.callsTo("GET /api/admin/stats")).toHaveLength(1);
  });

  it("shows the figures the server sent, and six charts each named with its latest value", async () => {
    open(syncStats());
    await screen.findByText("Live");
    expect(figure("LiveKit calls this minute")).toHaveTextContent("7 of 900");
    expect(figure("Pending changes")).toHaveTextContent("5 in 2 spaces");
    expect(figure("Oldest pending")).toHaveTextContent("13 s");
    expect(figure("Rooms occupied")).toHaveTextContent("3");
    // The exact number beside the formatted one, whose separators depend on the locale.
    expect(figure("Change log").querySelector("data")).toHaveAttribute("value", "1234");
    expect(figure("Change log")).toHaveTextContent(/^1.234 rows · 96 KiB$/);
    expect(figure("Deferred turns")).toHaveTextContent("2 in all");
    expect(figure("429s from LiveKit")).toHaveTextContent("1 in all");
    const charts = screen.getAllByRole("img");
    expect(charts.map((chart) => chart.getAttribute("aria-label")!.split(":")[0])).toEqual([
      "LiveKit calls per minute",
      "Pending changes",
      "Oldest pending change",
      "Rooms occupied",
      "Broadcasts per minute",
      "Failures per minute",
    ]);
    expect(screen.getByRole("img", { name: /^LiveKit calls per minute: 7 this minute;.*budget 900 a minute$/ }).querySelector("line.chart-limit")).not.toBeNull();
    expect(screen.getByRole("img", { name: /^Failures per minute: 0 this minute; at most 1 in the last hour; / })).toBeInTheDocument();
    // 10:50 was sampled with nothing pending: no age was recorded, and nothing waited (0), which is not a gap.
    const oldest = screen.getByRole("img", { name: /^Oldest pending change: 13 s, 1 min ago;/ });
    expect([...oldest.querySelectorAll("rect.chart-bar")].map((bar) => bar.classList.contains("zero"))).toEqual([true, false]);
  });

  it("draws no budget line and says 'unlimited' when there is no budget", async () => {
    const stats = syncStats();
    open({ ...stats, budget: { ...stats.budget, callsPerMinute: 0 } });
    await screen.findByText("Live");
    expect(figure("LiveKit calls this minute")).toHaveTextContent("7 of unlimited");
    const calls = screen.getByRole("img", { name: /^LiveKit calls per minute: .*; unlimited$/ });
    expect(calls.querySelector("line.chart-limit")).toBeNull();
    expect(within(calls.closest("figure")!).getByText("unlimited")).toBeInTheDocument();
  });

  it("charts how sync reaches people, from their browsers' reports, after the server's charts", async () => {
    open(
      syncStats({
        receivers: [
          receiverMinute(57, { rejected: 40, catchUps: 1 }),
          receiverMinute(59, { relayedShare: 0.9, lagP50Ms: 85, lagP99Ms: 1_500, rejected: 2 }),
        ],
      }),
    );
    await screen.findByText("Live");
    const charts = screen.getAllByRole("img").map((chart) => chart.getAttribute("aria-label")!.split(":")[0]);
    expect(charts.slice(6)).toEqual(["Lag as people see it (p50/p99)", "Relayed share", "Rejected packets", "Catch-ups"]);
    const lag = screen.getByRole("img", { name: /^Lag as people see it \(p50\/p99\): 1\.5 s this minute; at most 1\.5 s in the last hour; p50 85 ms lately;/ });
    expect(lag.querySelectorAll("rect.chart-bar")).toHaveLength(2);
    expect(lag.querySelectorAll("line.chart-tick")).toHaveLength(2);
    expect(screen.getByRole("img", { name: /^Relayed share: 90% this minute; at most 90% in the last hour;/ })).toBeInTheDocument();
    expect(screen.getByRole("img", { name: /^Rejected packets: 2 this minute; at most 40 in the last hour;/ }).closest("figure")).toHaveAttribute("data-tone", "danger");
    // A minute nobody reported is a gap, not a zero.
    expect(screen.getByRole("img", { name: /^Catch-ups: 0 this minute;/ }).querySelectorAll("rect.chart-bar")).toHaveLength(2);
  });

  it("says so when no browser reported in the last hour, and draws no receivers' chart", async () => {
    open(syncStats());
    await screen.findByText("Live");
    expect(screen.getByText("No browser has reported in the last hour.")).toBeInTheDocument();
    expect(screen.queryByRole("img", { name: /^Lag as people see it/ })).toBeNull();
  });

  it("lists the connections whose publishing was taken back, and says whether LiveKit took it at once", async () => {
    const revokedAt = new Date("2026-12-07T10:58:00Z");
    const until = new Date("2026-12-07T11:58:00Z");
    open(syncStats({ revocations: [{ space: "@intraliminal", identity: "@mallory#abc123", revokedAt, until, applied: true }] }));
    const table = await screen.findByRole("table");
    const [, row] = within(table).getAllByRole("row");
    expect(within(row!).getAllByRole("cell").map((cell) => cell.textContent)).toEqual([
      "Intraliminal",
      "@mallory#abc123",
      expect.any(String),
      expect.any(String),
      "at once (UpdateParticipant)",
    ]);
  });

  it("says so when nobody's publishing was taken back", async () => {
    open(syncStats());
    await screen.findByText("Live");
    expect(screen.getByText("No connection flooded a room in the last hour.")).toBeInTheDocument();
    expect(screen.queryByRole("table")).toBeNull();
  });

  it("says the figures are stale when the server is unavailable before it ever answered", async () => {
    open(apiError(503, "UNAVAILABLE"));
    await screen.findByText("Stale");
    expect(screen.getByRole("alert")).toHaveTextContent("The server does not answer; asking again every 5 seconds.");
    expect(screen.queryAllByRole("img")).toEqual([]);
  });
});
