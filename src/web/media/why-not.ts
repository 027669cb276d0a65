/**
 * Why a switch did not turn on, in words a person can act on. Browsers report a refused permission,
 * a missing device and a busy device as DOMExceptions named by the spec (Media Capture and Streams).
 */
import type { MediaKind } from "./kinds.ts";

/** The message for a failed attempt to turn on `kind` (the kinds are named as people name the devices). */
export function whyNot(kind: MediaKind, error: unknown): string {
  const name = error instanceof Error || error instanceof DOMException ? error.name : "";
  if (kind === "screen" && name === "NotAllowedError") {
    return "Nothing is shared: choosing a screen was cancelled or blocked. Press Share screen and pick a screen, window or tab; if no choice appears, allow screen sharing for this site in the browser's settings.";
  }
  switch (name) {
    case "NotAllowedError":
      return `Your browser blocked the ${kind} for this site, so nothing was turned on. Allow it in the site's permissions (the icon at the left of the address bar), then press the switch again.`;
    case "NotFoundError":
    case "OverconstrainedError":
      return `No ${kind} was found. Connect one, or pick another in the list, and try again.`;
    case "NotReadableError":
    case "AbortError":
      return `The ${kind} could not start: another app may be using it. Close that app and try again.`;
    case "SecurityError":
      return `This page may not use the ${kind}: it needs a secure (https) address.`;
    default:
      return `The ${kind} could not be turned on${error instanceof Error && error.message ? `: ${error.message}` : "."}`;
  }
}
