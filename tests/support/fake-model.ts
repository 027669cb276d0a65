/** Naming what the fake model provider (fake-model-provider.ts) does, and what it streams: plain, for any runtime. */

/** The text a `fake?tokens=N` model streams. */
export function fakeText(tokens: number): string {
  return Array.from({ length: tokens }, (_, i) => `t${i + 1} `).join("");
}

/** A model name for the fake provider. */
export function fakeModel(options: Record<string, string | number>): string {
  return `fake?${new URLSearchParams(Object.entries(options).map(([k, v]) => [k, String(v)]))}`;
}
