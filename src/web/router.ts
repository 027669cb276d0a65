/** The app's only routing: the path is a space id ("/@intraliminal"), the operator's or the account page; anything else means the lobby. */
import { createSignal } from "solid-js";
import { LOBBY_ID, type BeingId, type IntentionId } from "../shared/entities.ts";
import { isBeingId } from "../shared/limits.ts";

const [path, setPath] = createSignal(globalThis.location?.pathname ?? "/");
// Never equal: going to the message the address bar already names shows it again.
const [search, setSearch] = createSignal(globalThis.location?.search ?? "", { equals: false });
globalThis.addEventListener?.("popstate", () => {
  setPath(location.pathname);
  setSearch(location.search);
});

/** The operator's page: the sync pipeline's figures, for superusers. Being ids start with "@", so it names no space. */
export const OPERATIONS_PATH = "/admin";

/** The account page: ways back into this being, and its devices. */
export const ACCOUNT_PATH = "/account";

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

/** True while the address bar names the account page. */
export function onAccountPage(): boolean {
  return path() === ACCOUNT_PATH;
}

/** The URL path of a space. */
export function spacePath(id: BeingId): string {
  return `/${id}`;
}

/** Goes to a path of the app (with a query, for a message), adding a history entry (Back returns to the previous page). */
export function go(next: string, replace = false): void {
  const url = new URL(next, location.href);
  if (url.pathname + url.search !== location.pathname + location.search) history[replace ? "replaceState" : "pushState"](null, "", next);
  setPath(url.pathname);
  setSearch(url.search);
}

/** Goes to a space. */
export function navigate(id: BeingId, replace = false): void {
  go(spacePath(id), replace);
}

/** The message the address bar points at (`/<space>?message=<intention id>`), shown in its place in the conversation. */
export function messageInLocation(): IntentionId | undefined {
  const id = new URLSearchParams(search()).get("message");
  return id?.startsWith("/") ? (id as IntentionId) : undefined;
}

/** Goes to a message in its space. */
export function navigateToMessage(space: BeingId, message: IntentionId): void {
  go(`${spacePath(space)}?message=${encodeURIComponent(message)}`);
}
