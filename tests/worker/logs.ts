/** What the worker writes to its console, for tests that prove a secret never reaches a log line. */
import { onTestFinished, vi } from "vitest";

/** Everything written to the console from now until the test ends (still written through as well). */
export function captureLogs(): string[] {
  const lines: string[] = [];
  for (const method of ["log", "info", "warn", "error", "debug"] as const) {
    const original = console[method].bind(console);
    const spy = vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      lines.push(args.map(String).join(" "));
      original(...args);
    });
    onTestFinished(() => spy.mockRestore());
  }
  return lines;
}
