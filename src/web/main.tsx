/** Entry point: restore the session, mount the app, install the service worker. */
import { render } from "solid-js/web";
import { App } from "./app.tsx";
import { loadSession } from "./session.ts";
import "./styles.css";

void loadSession();
render(() => <App />, document.getElementById("root") as HTMLElement);
// The app shell offline (src/web/service-worker/sw.ts, built into /sw.js); after the load, so the
// worker's precache never competes with the page's own requests. Vite's dev server builds no worker.
if (import.meta.env.PROD && "serviceWorker" in navigator) {
  addEventListener("load", () => void navigator.serviceWorker.register("/sw.js").catch(() => undefined));
}
