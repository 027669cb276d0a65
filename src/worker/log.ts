/**
 * What the worker may write about an error in its logs. A query error's own message carries the
 * statement's parameters (session ids, and anything a request sent), so only the first line of each
 * error in the cause chain is kept, and only the frames of a stack.
 */
import { causes } from "./db/client.ts";

/** An error and (up to three of) the errors it wraps on one line, each cut to its first line. */
export function describeError(error: unknown): string {
  const chain = error && typeof error === "object" ? [...causes(error)].slice(0, 4) : [error];
  return chain.map((e) => String(e).split("\n")[0]).join(" <- ");
}

/** The stack's frames without its message (which repeats the error's text, parameters included). */
export function stackFrames(error: unknown): string | undefined {
  const stack = (error as Error | undefined)?.stack;
  return stack?.split("\n").filter((line) => line.trimStart().startsWith("at ")).join("\n");
}
