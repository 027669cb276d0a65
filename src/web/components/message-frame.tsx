/** The shell every message row shares: author and time at the start of a group, the body inside. */
import { Show, type JSX } from "solid-js";
import type { BeingId } from "../../shared/entities.ts";
import { BeingLink, useOpenProfile } from "../profile/being-link.tsx";
import { Avatar } from "./avatar.tsx";
import { fullTime, shortTime } from "./time.ts";

export interface MessageFrameProps {
  ownerId: BeingId;
  author: string;
  mine: boolean;
  startsGroup: boolean;
  time: Date;
  /** "pending", "failed", "error" or "active" (a reply still streaming): styles the row. */
  state?: string;
  /** Still changing (a reply streaming): screen readers wait for it to settle before reading it. */
  busy?: boolean;
  children: JSX.Element;
  /** Takes the row's element (the read marker watches it). */
  ref?(row: HTMLLIElement): void;
}

/**
 * One `<li>` of the conversation. Rows inside a group still tell screen readers who is speaking. A tap focuses it
 * (tabindex -1: not a tab stop), which is how a phone, without hover, shows that one message's actions.
 */
export function MessageFrame(props: MessageFrameProps) {
  const openProfile = useOpenProfile();
  return (
    <li ref={(row) => props.ref?.(row)} class="message" tabindex="-1" classList={{ mine: props.mine, "group-start": props.startsGroup }} data-state={props.state} aria-busy={props.busy || undefined} data-testid="message">
      <Show
        when={props.startsGroup}
        fallback={
          <>
            <span class="sr-only">{props.author}: </span>
            <time class="message-time-inline" datetime={props.time.toISOString()} title={fullTime(props.time)}>
              {shortTime(props.time)}
            </time>
          </>
        }
      >
        <Avatar id={props.ownerId} name={props.author} onClick={() => openProfile(props.ownerId)} />
        <div class="message-head">
          <BeingLink id={props.ownerId} class="message-author">
            {props.author}
          </BeingLink>
          <time datetime={props.time.toISOString()} title={fullTime(props.time)}>
            {shortTime(props.time)}
          </time>
        </div>
      </Show>
      {props.children}
    </li>
  );
}
