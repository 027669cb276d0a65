/** The app's only routing: the path is a space id ("/@intraliminal") or the operator's page; anything else means the lobby. */
import { createSignal } from "solid-js";
import { LOBBY_ID, type BeingId } from "../shared/entities.ts";
import { isBeingId } from "../shared/limits.ts";

const [path, setPath] = createSignal(globalThis.location?.pathname ?? "/");
globalThis.addEventListener?.("popstate", () => setPath(location.pathname));

/** The operator's page: the sync pipeline's figures, for superusers. Being ids start with "@", so it names no space. */
export const OPERATIONS_PATH = "/admin";

/** The space the address bar names, or undefined when it names none. */
export function spaceInPath(pathname: string): BeingId | undefined {
  let id: string;
  try {
    id = decodeURIComponent(pathname.slice(1));
  } catch {
    return undefined; // a malformed %-escape
  }
  return isBeingId(id) ? id : undefined;
}

/** The space to show: the one in the address bar, else the lobby. */
export function currentSpace(): BeingId {
  return spaceInPath(path()) ?? LOBBY_ID;
}

/** True while the address bar names the operator's page. */
export function onOperationsPage(): boolean {
  return path() === OPERATIONS_PATH;
}

/** The URL path of a space. */
export function spacePath(id: BeingId): string {
  return `/${id}`;
}

/** Goes to a path of the app, adding a history entry (Back returns to the previous page). */
export function go(next: string, replace = false): void {
  if (next !== location.pathname) history[replace ? "replaceState" : "pushState"](null, "", next);
  setPath(next);
}

/** Goes to a space. */
export function navigate(id: BeingId, replace = false): void {
  go(spacePath(id), replace);
}
