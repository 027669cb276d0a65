/** What a message says: its text as Markdown; content with mentions or a reply through rich-content.tsx. */
import { lazy, Show } from "solid-js";
import type { ContentNode } from "../../shared/entities.ts";
import { contentText } from "../../shared/content.ts";
import { Markdown } from "./markdown.tsx";

// Most messages are text alone: the code for mentions and replies comes with the first message that has one.
const RichContent = lazy(() => import("./rich-content.tsx").then((module) => ({ default: module.RichContent })));

/** Whether content holds a mention or a reply, at any depth (other nodes read as their text). */
const isRich = (nodes: readonly ContentNode[]): boolean =>
  nodes.some((node) => typeof node !== "string" && (node.type === "mention" || node.type === "reply" || isRich(node.content ?? [])));

/** The body of a message, pending or confirmed. */
export function MessageContent(props: { content: readonly ContentNode[] }) {
  return (
    <Show when={isRich(props.content)} fallback={<Markdown text={contentText(props.content)} class="markdown message-body" />}>
      <RichContent content={props.content} />
    </Show>
  );
}
