/** What a confirmed message says: its content (see message-content.tsx; "thinking…" before a reply's first word), and whether it was edited, failed or stopped. */
import { lazy, Show } from "solid-js";
import type { ContentNode, Intention } from "../../shared/entities.ts";
import { contentText } from "../../shared/content.ts";
import { MessageContent } from "./message-content.tsx";

// Most messages carry no files: the code that shows them is not in the start chunk.
const AttachmentList = lazy(() => import("../attach/attachment-list.tsx").then((module) => ({ default: module.AttachmentList })));

/** Fetches the code that shows files alongside the snapshot (as the Markdown renderer is): a row that grew when it came would move the rows around it. */
export function preloadAttachmentList(): Promise<unknown> {
  return AttachmentList.preload();
}

/** Why a bot's reply failed: the reason its `failure` node carries (see docs/api.md, Bots). */
export function failureOf(content: readonly ContentNode[]): string | undefined {
  for (const node of content) {
    const reason = typeof node === "object" && node.type === "failure" ? node.props?.reason : undefined;
    if (typeof reason === "string") return reason;
  }
  return undefined;
}

export interface MessageBodyProps {
  intention: Intention;
  /** What to show: the intention's content, or an edit's while it saves. */
  content: readonly ContentNode[];
  /** An edit is saving: the row is not marked edited until the server has it. */
  saving: boolean;
}

/** The message's body, below its author. */
export function MessageBody(props: MessageBodyProps) {
  const text = () => contentText(props.content);
  // A bot's reply (it has an asker) is rewritten as it streams: that is not an edit.
  const edited = () => !props.intention.askerId && props.intention.modifiedAt.getTime() - props.intention.createdAt.getTime() > 1_000;
  const failure = () => failureOf(props.content);
  return (
    <>
      <Show when={text() || props.intention.state !== "active"} fallback={<p class="message-thinking">thinking…</p>}>
        <MessageContent content={props.content} />
      </Show>
      <Show when={props.intention.attachments?.length ? props.intention.attachments : undefined}>
        {(attachments) => <AttachmentList messageId={props.intention.id} attachments={attachments()} />}
      </Show>
      <Show when={edited() && !props.saving}>
        <span class="message-edited">(edited)</span>
      </Show>
      <Show when={failure()}>
        <p class="message-failure">{failure()}</p>
      </Show>
      <Show when={props.intention.state === "cancelled" && props.intention.askerId}>
        <span class="message-edited">(stopped)</span>
      </Show>
    </>
  );
}
