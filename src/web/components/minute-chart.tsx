/** A small bar chart of one figure over the last hour, a bar a minute, drawn as inline SVG (no chart library to load). */
import { Index, Show } from "solid-js";
import type { MinutePoint } from "../operations/minutes.ts";
import { count, minuteOf } from "../operations/format.ts";

export interface MinuteChartProps {
  /** What is counted, e.g. "LiveKit calls per minute". */
  title: string;
  /** Oldest first, one a minute; null where nothing was sampled (drawn as a gap). */
  points: readonly MinutePoint<number | null>[];
  /** A second figure of the same minutes, drawn as a tick across each bar (a p50 in its p99's bar); named in the summary. */
  ticks?: { label: string; points: readonly MinutePoint<number | null>[] };
  /** A ceiling drawn as a dashed line across the chart (a budget). */
  limit?: number;
  /** A line under the title: what the figure is, or the budget. */
  note?: string;
  format?: (value: number) => string;
  tone?: "accent" | "danger";
}

// viewBox units; the SVG stretches to its box (preserveAspectRatio="none"), so only the bars' proportions matter.
const WIDTH = 300;
const HEIGHT = 100;
// A minute with a small non-zero value still shows, however tall the scale.
const MIN_BAR = 4;
// A sampled zero is a sliver on the axis, so that it reads differently from a gap.
const ZERO_BAR = 1;

/** The smallest of 1, 2, 5 × 10ⁿ at or above `value`: a scale whose top is a round number. */
function roundUp(value: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5, 10].map((step) => step * magnitude).find((top) => top >= value)!;
}

/** What a screen reader says for the chart: the latest figure, the hour's highest, the ceiling. */
function summary(props: MinuteChartProps, format: (value: number) => string): string {
  const last = props.points.length - 1;
  const latest = props.points.findLastIndex((point) => point.value !== null);
  const values = props.points.flatMap((point) => (point.value === null ? [] : [point.value]));
  const parts = [
    latest < 0
      ? "no samples in the last hour"
      : `${format(props.points[latest]!.value!)}${latest === last ? " this minute" : `, ${last - latest} min ago`}`,
  ];
  if (values.length > 0) parts.push(`at most ${format(Math.max(...values))} in the last hour`);
  const tick = props.ticks?.points.findLast((point) => point.value !== null)?.value;
  if (props.ticks && tick != null) parts.push(`${props.ticks.label} ${format(tick)} lately`);
  if (props.note) parts.push(props.note);
  return `${props.title}: ${parts.join("; ")}`;
}

/** A titled chart with its latest value; role="img" with a summary, so the figures reach a screen reader too. */
export function MinuteChart(props: MinuteChartProps) {
  const format = (value: number) => (props.format ?? count)(value);
  const values = (points: readonly MinutePoint<number | null>[] = []) => points.map((point) => point.value ?? 0);
  const top = () => roundUp(Math.max(1, props.limit ?? 0, ...values(props.points), ...values(props.ticks?.points)));
  const y = (value: number) => HEIGHT - (value / top()) * HEIGHT;
  const barHeight = (value: number) => (value === 0 ? ZERO_BAR : Math.max((value / top()) * HEIGHT, MIN_BAR));
  const slot = () => WIDTH / props.points.length;
  const latest = () => props.points.findLast((point) => point.value !== null)?.value;

  return (
    <figure class="chart" data-tone={props.tone ?? "accent"}>
      <figcaption class="chart-head">
        <span class="chart-title">{props.title}</span>
        <span class="chart-latest">{latest() === undefined ? "–" : format(latest()!)}</span>
        <Show when={props.note}>
          <span class="chart-note">{props.note}</span>
        </Show>
      </figcaption>
      <div class="chart-plot">
        <span class="chart-top" aria-hidden="true">
          {format(top())}
        </span>
        <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} preserveAspectRatio="none" role="img" aria-label={summary(props, format)}>
          {/* Index, not For: each poll brings new point objects for the same 60 positions. */}
          <Index each={props.points}>
            {(point, i) => (
              <Show when={point().value !== null}>
                <rect
                  class="chart-bar"
                  classList={{ zero: point().value === 0 }}
                  x={i * slot() + slot() * 0.15}
                  width={slot() * 0.7}
                  y={HEIGHT - barHeight(point().value!)}
                  height={barHeight(point().value!)}
                >
                  <title>{`${minuteOf(point().minute)} · ${format(point().value!)}`}</title>
                </rect>
              </Show>
            )}
          </Index>
          <Index each={props.ticks?.points ?? []}>
            {(point, i) => (
              <Show when={point().value !== null}>
                <line class="chart-tick" x1={i * slot() + slot() * 0.05} x2={i * slot() + slot() * 0.95} y1={y(point().value!)} y2={y(point().value!)} />
              </Show>
            )}
          </Index>
          <Show when={props.limit}>
            {(limit) => <line class="chart-limit" x1="0" x2={WIDTH} y1={y(limit())} y2={y(limit())} />}
          </Show>
        </svg>
        <span class="chart-axis" aria-hidden="true">
          <span>−60 min</span>
          <span>now</span>
        </span>
      </div>
    </figure>
  );
}
