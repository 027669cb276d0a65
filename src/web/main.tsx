/** Entry point: restore the session, then mount the app. */
import { render } from "solid-js/web";
import { App } from "./app.tsx";
import { loadSession } from "./session.ts";
import "./styles.css";

void loadSession();
render(() => <App />, document.getElementById("root") as HTMLElement);
