/**
 * When the first screen is done: what a person opened has painted and, in a space, the live connection
 * is made or given up on. Work that pays off only later waits for it. Installing the offline app shell
 * downloads the whole app and writes it to disk; begun at the page's load event (which an app whose
 * content comes after its script reaches early), it took the network and the processor from the
 * space's first screen: Lighthouse's blocking time on a space was about 470 ms with it, 120 without.
 */
import { afterPaint, deferred } from "./scheduling.ts";

// A first screen that never says it is done (a join that keeps failing, a renderer that never loads,
// a session check that keeps retrying) still gets the offline shell this long after the app started.
const LATEST_MS = 10_000;

const finished = deferred<void>();

/** Says that the first screen is done; later calls change nothing. */
export const firstScreenDone = () => finished.resolve();

/** Says that the first screen is done once it has painted (a page that shows all it has at once). */
export const firstScreenPainted = () => void afterPaint().then(firstScreenDone);

/** Resolves once the first screen is done, or LATEST_MS after the call, whichever comes first. */
export const afterFirstScreen = () => Promise.race([finished.promise, new Promise<void>((resolve) => setTimeout(resolve, LATEST_MS))]);
