/** The operator's page: the sync pipeline now, and its last hour minute by minute. Its code loads only when it is opened. */
import { createMemo, For, Match, onCleanup, Show, Switch } from "solid-js";
import { LOBBY_ID } from "../../shared/entities.ts";
import type { CounterName, ReceiverMinute, Revocation, SyncMinute, SyncStats } from "../../shared/responses.ts";
import { MinuteChart } from "../components/minute-chart.tsx";
import { SpaceLink } from "../components/space-link.tsx";
import { nameOf } from "../names.ts";
import { clock, count, duration, kib, milliseconds, percent } from "../operations/format.ts";
import { createLiveStats, POLL_MS, type StatsStatus } from "../operations/live-stats.ts";
import { perMinute } from "../operations/minutes.ts";

/** The whole screen; the figures come only from GET /api/admin/stats, so a refusal there leaves nothing to show. */
export function OperationsPage() {
  const live = createLiveStats();
  onCleanup(() => live.close());
  document.title = "Operations · Spaces";
  const lobby = () => nameOf(LOBBY_ID) ?? LOBBY_ID;

  return (
    <div class="operations-page">
      <header class="topbar">
        <div class="topbar-space">
          <SpaceLink id={LOBBY_ID} class="crumb" aria-label={`Back to ${lobby()}`}>
            <span aria-hidden="true">‹ </span>
            {lobby()}
          </SpaceLink>
          <h1 class="space-name">Operations</h1>
        </div>
        <Freshness status={live.status()} updatedAt={live.updatedAt()} />
      </header>
      <Switch fallback={<p class="page-note" role="status">Loading the figures…</p>}>
        <Match when={live.status() === "refused"}>
          <main class="page-note">
            <h2>Only operators can see this page</h2>
            <p>It shows how live sync is doing, for the people who run this server.</p>
            <SpaceLink id={LOBBY_ID} class="button primary">
              Go to the lobby
            </SpaceLink>
          </main>
        </Match>
        <Match when={live.stats()}>{(stats) => <Dashboard stats={stats()} />}</Match>
        <Match when={live.status() === "stale"}>
          <p class="page-note" role="alert">
            The server does not answer; asking again every {POLL_MS / 1000} seconds.
          </p>
        </Match>
      </Switch>
    </div>
  );
}

// `dot` borrows the connection indicator's colours, which already mean live / waiting / cut off.
const FRESHNESS: Record<Exclude<StatsStatus, "refused">, { dot: string; word: string; hint: string }> = {
  loading: { dot: "connecting", word: "Loading…", hint: "Asking the server for the figures" },
  live: { dot: "connected", word: "Live", hint: `Asked every ${POLL_MS / 1000} seconds while this page is in view` },
  stale: { dot: "offline", word: "Stale", hint: "The server did not answer the last request: these are the last figures that came" },
};

/** Live or stale, and the time of the figures shown (nothing once refused). Only the word is announced: the time changes every few seconds. */
function Freshness(props: { status: StatsStatus; updatedAt: Date | undefined }) {
  const shown = () => (props.status === "refused" ? undefined : props.status);
  return (
    <Show when={shown()}>
      {(status) => (
        <p class="connection" data-status={FRESHNESS[status()].dot} title={FRESHNESS[status()].hint}>
          <span class="connection-dot" aria-hidden="true" />
          <span role="status">{FRESHNESS[status()].word}</span>
          <Show when={props.updatedAt}>
            {(at) => (
              <span>
                · updated <time datetime={at().toISOString()}>{clock(at())}</time>
              </span>
            )}
          </Show>
        </p>
      )}
    </Show>
  );
}

/** One headline figure; `<data>` carries the exact number beside the formatted one. */
function Figure(props: { label: string; value: number | null; format?: (value: number) => string; detail?: string }) {
  return (
    <div class="figure">
      <dt>{props.label}</dt>
      <dd>
        <Show when={props.value !== null} fallback="none">
          <data value={props.value!}>{(props.format ?? count)(props.value!)}</data>
        </Show>
        <Show when={props.detail}>
          {" "}
          <small>{props.detail}</small>
        </Show>
      </dd>
    </div>
  );
}

const plural = (n: number, one: string, many: string) => `${count(n)} ${n === 1 ? one : many}`;

/** The figures now and the charts of the last hour. */
function Dashboard(props: { stats: SyncStats }) {
  const stats = () => props.stats;
  const counter = (name: CounterName) => createMemo(() => perMinute(stats().minutes, stats().at, (m) => m.counters[name] ?? 0, 0));
  const gauge = (value: (m: SyncMinute) => number | null) => createMemo(() => perMinute(stats().minutes, stats().at, value, null));
  const calls = counter("calls");
  const batches = counter("batches");
  const failures = counter("failures");
  const pending = gauge((m) => m.pending);
  // The sweeper records no age when nothing is pending: that minute nothing waited, which is not a gap.
  const oldest = gauge((m) => m.oldestPendingSeconds ?? (m.pending === 0 ? 0 : null));
  const rooms = gauge((m) => m.occupiedRooms);
  const budget = () => stats().budget.callsPerMinute;
  // LIVEKIT_CALLS_PER_MINUTE=0 means no budget (a self-hosted server): there is no line to draw.
  const budgetNote = () => (budget() > 0 ? `budget ${count(budget())} a minute` : "unlimited");

  return (
    <main class="operations">
      <Show when={stats().budget.blockedUntil}>
        {(until) => (
          <p class="banner" role="alert">
            LiveKit answered 429: no calls until {clock(until())}.
          </p>
        )}
      </Show>
      <section aria-labelledby="figures-title">
        <h2 id="figures-title" class="section-title">
          Now
        </h2>
        <dl class="figures">
          <Figure label="LiveKit calls this minute" value={stats().budget.callsThisMinute} detail={budget() > 0 ? `of ${count(budget())}` : "of unlimited"} />
          <Figure label="Pending changes" value={stats().lag.changes} detail={`in ${plural(stats().lag.spaces, "space", "spaces")}`} />
          <Figure label="Oldest pending" value={stats().lag.oldestSeconds} format={duration} />
          <Figure label="Rooms occupied" value={stats().rooms.occupied} />
          <Figure label="Change log" value={stats().log.changes} detail={`rows · ${kib(stats().log.bytes)}`} />
          <Figure label="Deferred turns" value={stats().counters.deferred ?? 0} detail="in all" />
          <Figure label="429s from LiveKit" value={stats().counters.rate_limited ?? 0} detail="in all" />
        </dl>
      </section>
      <section aria-labelledby="charts-title">
        <h2 id="charts-title" class="section-title">
          The last hour, a bar a minute
        </h2>
        <div class="charts">
          <MinuteChart title="LiveKit calls per minute" points={calls()} limit={budget() || undefined} note={budgetNote()} />
          <MinuteChart title="Pending changes" points={pending()} note="sampled each minute" />
          <MinuteChart title="Oldest pending change" points={oldest()} format={duration} note="its age, sampled each minute" />
          <MinuteChart title="Rooms occupied" points={rooms()} note="sampled each minute" />
          <MinuteChart title="Broadcasts per minute" points={batches()} note="payloads sent to LiveKit rooms" />
          <MinuteChart title="Failures per minute" points={failures()} tone="danger" note="broadcast turns that failed, to be retried" />
        </div>
      </section>
      <Receivers stats={stats()} />
      <Revocations revocations={stats().revocations} />
    </main>
  );
}

/**
 * How sync reached the people in the rooms, from their browsers' health reports (POST /api/sync/health).
 * A minute nobody reported is a gap, not a zero: nobody was there to see it.
 */
function Receivers(props: { stats: SyncStats }) {
  const figure = (value: (m: ReceiverMinute) => number | null) =>
    createMemo(() => perMinute<ReceiverMinute>(props.stats.receivers, props.stats.at, value, null));
  const p50 = figure((m) => m.lagP50Ms);
  const p99 = figure((m) => m.lagP99Ms);
  const relayed = figure((m) => m.relayedShare);
  const rejected = figure((m) => m.rejected);
  const catchUps = figure((m) => m.catchUps);
  return (
    <section aria-labelledby="receivers-title">
      <h2 id="receivers-title" class="section-title">
        As people see it, from their browsers' reports
      </h2>
      <Show when={props.stats.receivers.length > 0} fallback={<p class="section-note">No browser has reported in the last hour.</p>}>
        <div class="charts">
          <MinuteChart
            title="Lag as people see it (p50/p99)"
            points={p99()}
            ticks={{ label: "p50", points: p50() }}
            format={milliseconds}
            note="commit → apply: bars the p99, ticks the p50"
          />
          <MinuteChart title="Relayed share" points={relayed()} format={percent} note="batches applied as their writer relayed them" />
          <MinuteChart title="Rejected packets" points={rejected()} tone="danger" note="dropped unverified: forged, replayed or junk" />
          <MinuteChart title="Catch-ups" points={catchUps()} note="fetches to fill a gap or a missed batch" />
        </div>
      </Show>
    </section>
  );
}

/**
 * Connections whose data publishing the server took back because a browser in the room muted them for
 * forged or junk sync packets (POST /api/spaces/:id/muted), in force or ended within the hour.
 */
function Revocations(props: { revocations: Revocation[] }) {
  return (
    <section aria-labelledby="revocations-title">
      <h2 id="revocations-title" class="section-title">
        Publishing taken back from flooders
      </h2>
      <Show when={props.revocations.length > 0} fallback={<p class="section-note">No connection flooded a room in the last hour.</p>}>
        <table class="revocations">
          <thead>
            <tr>
              <th scope="col">Space</th>
              <th scope="col">Connection</th>
              <th scope="col">Since</th>
              <th scope="col">Until</th>
              <th scope="col">Taken</th>
            </tr>
          </thead>
          <tbody>
            <For each={props.revocations}>
              {(revocation) => (
                <tr>
                  <td>
                    <SpaceLink id={revocation.space}>{nameOf(revocation.space) ?? revocation.space}</SpaceLink>
                  </td>
                  <td>
                    <code>{revocation.identity}</code>
                  </td>
                  <td>{clock(revocation.revokedAt)}</td>
                  <td>{clock(revocation.until)}</td>
                  <td>{revocation.applied ? "at once (UpdateParticipant)" : "at its next token"}</td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </Show>
    </section>
  );
}
