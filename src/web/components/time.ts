/** How the conversation shows time, and when consecutive messages form one group. */
import type { BeingId } from "../../shared/entities.ts";

// Messages from one author closer than this read as one train of thought.
const GROUP_GAP_MS = 5 * 60_000;

const clock = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const dated = new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
const full = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "short" });

/** "14:02" today, "Mon 3 Nov, 14:02" otherwise. */
export function shortTime(date: Date, now: Date = new Date()): string {
  return date.toDateString() === now.toDateString() ? clock.format(date) : dated.format(date);
}

/** The date and time in full, for tooltips. */
export function fullTime(date: Date): string {
  return full.format(date);
}

/** True when `next` continues `previous`'s group: same author, same day, within a few minutes. */
export function continuesGroup(
  previous: { ownerId: BeingId; createdAt: Date } | undefined,
  next: { ownerId: BeingId; createdAt: Date },
): boolean {
  if (!previous || previous.ownerId !== next.ownerId) return false;
  const gap = next.createdAt.getTime() - previous.createdAt.getTime();
  return gap < GROUP_GAP_MS && previous.createdAt.toDateString() === next.createdAt.toDateString();
}
