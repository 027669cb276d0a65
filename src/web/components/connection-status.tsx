/** The always-visible connection indicator. */
import type { ConnectionStatus } from "../sync/store.ts";

const LABELS: Record<ConnectionStatus, string> = {
  connecting: "Connecting…",
  connected: "Connected",
  reconnecting: "Reconnecting…",
  offline: "Offline",
  polling: "Live sync off · polling",
};

const HINTS: Record<ConnectionStatus, string> = {
  connecting: "Joining the space's live channel",
  connected: "Changes arrive as they happen",
  reconnecting: "The live channel dropped; catching up when it is back",
  offline: "No network: what you write is kept and sent when you are back online",
  polling: "The live channel is unavailable; checking for changes every few seconds",
};

/** A dot and a word for the space's connection; announced politely when it changes. */
export function ConnectionStatusBadge(props: { status: ConnectionStatus }) {
  return (
    <div class="connection" data-status={props.status} role="status" aria-live="polite" title={HINTS[props.status]}>
      <span class="connection-dot" aria-hidden="true" />
      <span>{LABELS[props.status]}</span>
    </div>
  );
}
