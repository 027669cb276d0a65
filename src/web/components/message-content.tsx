/** What a message says: its text as Markdown; content with nodes in it (mentions, a reply) through rich-content.tsx. */
import { lazy, Show } from "solid-js";
import type { ContentNode } from "../../shared/entities.ts";
import { Markdown } from "./markdown.tsx";

// Most messages are text alone: the code for mentions and replies comes with the first message that has one.
const RichContent = lazy(() => import("./rich-content.tsx").then((module) => ({ default: module.RichContent })));

/** The body of a message, pending or confirmed. */
export function MessageContent(props: { content: readonly ContentNode[] }) {
  return (
    <Show when={props.content.some((node) => typeof node !== "string")} fallback={<Markdown text={props.content.join("")} class="markdown message-body" />}>
      <RichContent content={props.content} />
    </Show>
  );
}
