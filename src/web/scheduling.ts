/**
 * Yielding the main thread. On a phone, work done in one piece (rendering a screenful of messages,
 * connecting LiveKit) is a long task in which the page can neither paint nor take a tap; split at
 * these points, the browser paints and answers input in between.
 */

/** A promise with its resolve exposed: something that happens later, said by whoever sees it happen. */
export function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Resolves in a new task: whatever input and rendering is waiting runs first. */
export const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve));

// A hidden tab never paints: whatever waits for a frame goes ahead after this long anyway.
const UNPAINTED_MS = 100;

/** Resolves in a task after the next frame has been painted (or after UNPAINTED_MS where nothing paints). */
export function afterPaint(): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, UNPAINTED_MS);
    globalThis.requestAnimationFrame?.(() => {
      clearTimeout(timer);
      setTimeout(resolve);
    });
  });
}
