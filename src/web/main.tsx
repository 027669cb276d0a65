/** Entry point: restore the session, mount the app, install the service worker. */
import { render } from "solid-js/web";
import { App } from "./app.tsx";
import { afterFirstScreen } from "./first-screen.ts";
import { loadMarkdown } from "./markdown.ts";
import { spaceInPath } from "./router.ts";
import { loadSession } from "./session.ts";
import { appCache } from "./sync/cache.ts";
import { prefetchSnapshot } from "./sync/prefetch.ts";
import "./styles.css";

// Whose spaces this browser keeps: read once, for the session and for the prefetch.
const kept = appCache.owner();
void loadSession({ kept });
// A space opened by its address needs its messages and their renderer: both are asked for now,
// alongside GET /api/me, not a round trip after it.
const opening = spaceInPath(location.pathname);
if (opening) {
  void prefetchSnapshot(opening, kept);
  void loadMarkdown().catch(() => undefined);
}
render(() => <App />, document.getElementById("root") as HTMLElement);
// The app shell offline (src/web/service-worker/sw.ts, built into /sw.js), once the first screen is
// done: its precache must not compete with what the page needs now. Vite's dev server builds no worker.
if (import.meta.env.PROD && "serviceWorker" in navigator) {
  void afterFirstScreen().then(() => navigator.serviceWorker.register("/sw.js").catch(() => undefined));
}
