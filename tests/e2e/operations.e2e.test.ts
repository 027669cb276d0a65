// The operator page in Chromium against the full local stack: it draws the pipeline's real figures
// for a superuser, keeps them live, and shows nothing to anyone else.
import type { Page } from "playwright-core";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { SyncStats } from "../../src/shared/responses.ts";
import { connectionIs, DESKTOP, inSpace, message, PHONE, until, useScene } from "./support.ts";

const stack = inject("stack");
const database = new pg.Client({ connectionString: stack.databaseUrl });
/** Runs the cron sweeper now: it samples the gauges (pending, oldest pending, rooms occupied) for this minute. */
const sweep = () => fetch(`${stack.url}/cdn-cgi/local/scheduled`).then((r) => r.text());

const scene = useScene();
const { join } = scene;

beforeAll(async () => database.connect());
afterAll(async () => database.end());

/** SyncStats as it crosses the wire (dates as ISO strings). */
type StatsJson = Omit<SyncStats, "at" | "minutes"> & { minutes: Array<{ counters: SyncStats["counters"] }> };

/** Keeps the last stats body the page received, as the page's own requests bring them. */
function watchStats(page: Page) {
  const seen = { last: undefined as StatsJson | undefined, statuses: [] as number[] };
  page.on("response", async (response) => {
    if (new URL(response.url()).pathname !== "/api/admin/stats") return;
    seen.statuses.push(response.status());
    if (response.ok()) seen.last = (await response.json()) as StatsJson;
  });
  return seen;
}

/** The headline figures as rendered: label → the exact number its `<data>` carries (null: "none"). */
function figures(page: Page): Promise<Record<string, string | null>> {
  return page.$$eval(".figure", (rows) =>
    Object.fromEntries(rows.map((row) => [row.querySelector("dt")!.textContent, row.querySelector("data")?.getAttribute("value") ?? null])),
  );
}

/** What the headline figures must read for these stats. */
function expectedFigures(stats: StatsJson): Record<string, string | null> {
  return {
    "LiveKit calls this minute": String(stats.budget.callsThisMinute),
    "Pending changes": String(stats.lag.changes),
    "Oldest pending": stats.lag.oldestSeconds === null ? null : String(stats.lag.oldestSeconds),
    "Rooms occupied": String(stats.rooms.occupied),
    "Change log": String(stats.log.changes),
    "Deferred turns": String(stats.counters.deferred ?? 0),
    "429s from LiveKit": String(stats.counters.rate_limited ?? 0),
  };
}

/** A chart by its title (the start of its accessible name). */
const chart = (page: Page, title: string) => page.getByRole("img", { name: new RegExp(`^${title}: `) });
/** Bars drawn for minutes with a non-zero value. */
const raisedBars = (page: Page, title: string) => chart(page, title).locator("rect.chart-bar:not(.zero)").count();
const stamp = (page: Page) => page.locator("header time").textContent();

describe("the operator page", () => {
  it("a superuser opens it from the header and sees the real figures drawn, kept live, stale when offline", async () => {
    const space = await scene.newSpace("Busy room");
    const bob = await join("Bob", space, "Busy room");
    const olga = await join("Olga", space, "Busy room");
    await database.query(`UPDATE beings SET properties = '{"superuser": true}' WHERE id = $1`, [olga.id]);
    await Promise.all([connectionIs(bob.page, "Connected", 30_000), connectionIs(olga.page, "Connected", 30_000)]);

    // Real traffic: messages broadcast through LiveKit to the two receivers, then the sweeper's sample.
    for (const text of ["first for the charts", "second for the charts", "third for the charts"]) {
      expect((await scene.host.request("POST", `/api/spaces/${space}/intentions`, { content: text })).status).toBe(201);
    }
    await message(bob.page, "third for the charts").waitFor();
    await sweep();

    // The header offers the page once the server has said she is a superuser (on her next load).
    await olga.page.reload();
    await inSpace(olga.page, "Busy room");
    // The page opens as the being the browser kept (superuser or not, as last known); the link comes with the server's answer.
    await olga.page.getByRole("banner").getByRole("link", { name: "Operations" }).waitFor();
    // The link joins a crowded header: on a phone it still fits the screen.
    await olga.page.setViewportSize(PHONE);
    expect(await olga.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    // ...and takes no row of its own: the status and Sign out still share one.
    const rowOf = async (name: string) => (await olga.page.getByRole("banner").getByRole("button", { name }).boundingBox())!.y;
    expect(Math.abs((await rowOf("Sign out")) - (await rowOf("Here · 2")))).toBeLessThan(4);
    await olga.page.setViewportSize(DESKTOP);
    const stats = watchStats(olga.page);
    await olga.page.getByRole("banner").getByRole("link", { name: "Operations" }).click();
    await olga.page.getByRole("heading", { level: 1, name: "Operations" }).waitFor();
    expect(new URL(olga.page.url()).pathname).toBe("/admin");
    await chart(olga.page, "LiveKit calls per minute").waitFor();

    // What is drawn is what the server sent: the headline figures, a bar a minute, bars where calls were made.
    await until("the figures to match the last stats the page received", async () => {
      const last = stats.last;
      if (!last) return false;
      const callMinutes = last.minutes.filter((m) => (m.counters.calls ?? 0) > 0).length;
      return JSON.stringify(await figures(olga.page)) === JSON.stringify(expectedFigures(last)) && (await raisedBars(olga.page, "LiveKit calls per minute")) === callMinutes;
    });
    expect(stats.last!.minutes.some((m) => (m.counters.calls ?? 0) > 0)).toBe(true);
    expect(await raisedBars(olga.page, "LiveKit calls per minute")).toBeGreaterThan(0);
    expect(await raisedBars(olga.page, "Broadcasts per minute")).toBeGreaterThan(0);
    expect(await raisedBars(olga.page, "Rooms occupied")).toBeGreaterThan(0);
    expect(await chart(olga.page, "LiveKit calls per minute").locator("rect.chart-bar").count()).toBe(60);
    expect(await chart(olga.page, "LiveKit calls per minute").getAttribute("aria-label")).toMatch(/; budget 900 a minute$/);
    expect(await chart(olga.page, "LiveKit calls per minute").locator("line.chart-limit").count()).toBe(1);

    await olga.page.mouse.move(0, 0);
    await olga.page.screenshot({ path: "/tmp/operator-page.png", fullPage: true });
    await olga.page.setViewportSize(PHONE);
    await olga.page.screenshot({ path: "/tmp/operator-page-phone.png", fullPage: true });
    // Nothing runs off the side of a phone's screen.
    expect(await olga.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);

    // Live: a new answer every few seconds, shown as it comes.
    const before = await stamp(olga.page);
    await until("the next poll to update the time", async () => (await stamp(olga.page)) !== before, 12_000);

    // Offline: the last figures stay, said to be stale; back online, live again.
    await olga.setOnline(false);
    await olga.page.getByRole("banner").getByRole("status").filter({ hasText: "Stale" }).waitFor({ timeout: 12_000 });
    expect(Object.keys(await figures(olga.page))).toHaveLength(7);
    await olga.setOnline(true);
    await olga.page.getByRole("banner").getByRole("status").filter({ hasText: "Live" }).waitFor({ timeout: 12_000 });

    // Leaving the page stops the polling.
    await olga.page.getByRole("link", { name: /^Back to / }).click();
    await inSpace(olga.page, "Intraliminal");
    const asked = stats.statuses.length;
    await olga.page.waitForTimeout(6_000);
    expect(stats.statuses.length).toBe(asked);
    expect(olga.errors.filter((e) => !/Failed to load resource|ERR_INTERNET_DISCONNECTED/.test(e))).toEqual([]);
  });

  it("shows the lag people saw, the relayed share and rejected packets once a browser has reported", async () => {
    const space = await scene.newSpace("Reporting room");
    const bob = await join("Bob", space, "Reporting room");
    // The report as the web app sends it (the body of docs/api.md), from Bob's page with his session.
    const report = {
      space,
      counts: { applied: 10, relayed: 9, "rejected.bad-signature": 5, catchUps: 2 },
      lag: { p50: 150, p99: 20_000, samples: 10 },
      clockOffsetMs: 12,
    };
    const status = await bob.page.evaluate(
      async (body) => (await fetch("/api/sync/health", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) })).status,
      report,
    );
    expect(status).toBe(204);

    const olga = await join("Olga");
    await database.query(`UPDATE beings SET properties = '{"superuser": true}' WHERE id = $1`, [olga.id]);
    await olga.page.goto("/admin");
    // 20 s falls in the log bucket whose bound is 23 s; no other receiver reports a lag that long.
    const lag = chart(olga.page, "Lag as people see it \\(p50/p99\\)");
    await lag.waitFor();
    expect(await lag.getAttribute("aria-label")).toMatch(/: 23 s( this minute|, 1 min ago);/);
    expect(await lag.locator("line.chart-tick").count()).toBeGreaterThan(0);
    for (const title of ["Relayed share", "Rejected packets", "Catch-ups"]) expect(await raisedBars(olga.page, title)).toBeGreaterThan(0);
    await olga.page.screenshot({ path: "/tmp/operator-page-receivers.png", fullPage: true });
  });

  it("anyone else who opens /admin is refused and sees no figure", async () => {
    const eve = await join("Eve");
    expect(await eve.page.getByRole("banner").getByRole("link", { name: "Operations" }).count()).toBe(0);
    const stats = watchStats(eve.page);
    await eve.page.goto("/admin");
    await eve.page.getByRole("heading", { name: "Only operators can see this page" }).waitFor();
    expect(stats.statuses).toEqual([403]);
    expect(await eve.page.getByRole("img").count()).toBe(0);
    expect(await eve.page.locator(".figure, .chart, data").count()).toBe(0);
    expect(await eve.page.getByRole("banner").getByRole("status").count()).toBe(0);
  });
});
