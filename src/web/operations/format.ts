/** How the operator page writes its figures. */

const whole = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const tenths = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });
const clockFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
const minuteFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });

/** "1,234". */
export function count(value: number): string {
  return whole.format(value);
}

/** An age: "2.5 s", "45 s", "12 min", "3.5 h". */
export function duration(seconds: number): string {
  if (seconds < 10) return `${tenths.format(seconds)} s`;
  if (seconds < 90) return `${whole.format(seconds)} s`;
  if (seconds < 90 * 60) return `${whole.format(seconds / 60)} min`;
  return `${tenths.format(seconds / 3600)} h`;
}

/** A lag in milliseconds: "85 ms", then as `duration` from a second: "1.2 s". */
export function milliseconds(ms: number): string {
  return ms < 1000 ? `${whole.format(ms)} ms` : duration(ms / 1000);
}

/** A share of 0–1 as a percentage: "75%". */
export function percent(share: number): string {
  return `${whole.format(share * 100)}%`;
}

/** Bytes as KiB: "96 KiB". */
export function kib(bytes: number): string {
  return `${whole.format(bytes / 1024)} KiB`;
}

/** "14:02:03". */
export function clock(date: Date): string {
  return clockFormat.format(date);
}

/** "14:02". */
export function minuteOf(date: Date): string {
  return minuteFormat.format(date);
}
