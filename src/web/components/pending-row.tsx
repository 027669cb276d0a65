/** A message the server has not confirmed yet: sending, waiting for the network, or refused. */
import { For, lazy, Match, Show, Switch } from "solid-js";
import type { BeingId, Intention } from "../../shared/entities.ts";
import { contentOf, type OutboxEntry } from "../sync/outbox.ts";
import { continuesGroup } from "./time.ts";
import { MessageContent } from "./message-content.tsx";
import { MessageFrame } from "./message-frame.tsx";

const Tray = lazy(() => import("../attach/tray.tsx").then((module) => ({ default: module.Tray })));

export interface PendingRowProps {
  entry: OutboxEntry;
  ownerId: BeingId;
  author: string;
  startsGroup: boolean;
  onRetry(): void;
  onDiscard(): void;
  /** Takes one of its files out. */
  onDropFile(key: string): void;
}

/** An optimistic row, with its files' uploads; a refused one stays, says why, and offers Retry and Discard. */
export function PendingRow(props: PendingRowProps) {
  return (
    <MessageFrame
      ownerId={props.ownerId}
      author={props.author}
      mine
      startsGroup={props.startsGroup}
      time={new Date(props.entry.createdAt)}
      state={props.entry.status === "failed" ? "failed" : "pending"}
    >
      <MessageContent content={contentOf(props.entry)} />
      <Show when={props.entry.files}>{(files) => <Tray files={files()} onRemove={(key) => props.onDropFile(key)} onRetry={() => props.onRetry()} />}</Show>
      <div class="message-status">
        <Switch>
          <Match when={props.entry.status === "sending"}>Sending…</Match>
          <Match when={props.entry.status === "queued"}>Waiting to send</Match>
          <Match when={props.entry.status === "failed"}>
            <span role="alert">Not sent: {props.entry.error}</span>
            <button type="button" class="link-button" onClick={() => props.onRetry()}>
              Retry
            </button>
            <button type="button" class="link-button" onClick={() => props.onDiscard()}>
              Discard
            </button>
          </Match>
        </Switch>
      </div>
    </MessageFrame>
  );
}

export interface PendingRowsProps {
  entries: readonly OutboxEntry[];
  ownerId: BeingId;
  author: string;
  /** The last confirmed message, which the first of these may continue the group of. */
  after: Intention | undefined;
  onRetry(id: OutboxEntry["id"]): void;
  onDiscard(id: OutboxEntry["id"]): void;
  onDropFile(id: OutboxEntry["id"], key: string): void;
}

/** My messages still on their way, in the order written, below the confirmed ones. */
export function PendingRows(props: PendingRowsProps) {
  return (
    <For each={props.entries}>
      {(entry, index) => {
        const row = () => ({ ownerId: props.ownerId, createdAt: new Date(entry.createdAt) });
        const previous = () => {
          const before = props.entries[index() - 1];
          return before ? { ownerId: props.ownerId, createdAt: new Date(before.createdAt) } : props.after;
        };
        return (
          <PendingRow
            entry={entry}
            ownerId={props.ownerId}
            author={props.author}
            startsGroup={!continuesGroup(previous(), row())}
            onRetry={() => props.onRetry(entry.id)}
            onDiscard={() => props.onDiscard(entry.id)}
            onDropFile={(key) => props.onDropFile(entry.id, key)}
          />
        );
      }}
    </For>
  );
}
