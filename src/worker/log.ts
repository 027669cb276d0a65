/**
 * What the worker may write about an error in its logs. A query error's own message carries the
 * statement's parameters (session ids, and anything a request sent), so only the first line of each
 * error in the cause chain is kept, and only the frames of a stack.
 */

/** The error and each one it wraps: drizzle keeps the driver's error as `cause`, the driver keeps fetch's as `sourceError`. */
export function* causes(error: unknown): Generator<object> {
  for (let e = error; e && typeof e === "object"; e = (e as { cause?: unknown }).cause ?? (e as { sourceError?: unknown }).sourceError) {
    yield e;
  }
}

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
