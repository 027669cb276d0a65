/** Reading structured content. */
import type { BeingId, ContentNode, IntentionId } from "./entities.ts";

/** The text of structured content (strings as they are, nodes by their children). */
export function contentText(nodes: readonly ContentNode[]): string {
  return nodes.map((node) => (typeof node === "string" ? node : contentText(node.content ?? []))).join("");
}

/**
 * A mention of a being: `{ type: "mention", props: { id }, content: ["@Name"] }`. The id decides who is
 * meant (never the name, which may change or repeat); the text child keeps it readable where nodes are not.
 */
export function mentionNode(id: BeingId, name: string): ContentNode {
  return { type: "mention", props: { id }, content: [`@${name}`] };
}

/** A reply's reference to the message it answers: `{ type: "reply", props: { to } }`, with no text of its own. */
export function replyNode(to: IntentionId): ContentNode {
  return { type: "reply", props: { to } };
}

/** The beings a content mentions, each once, in order (content_mentions() in db/rulebook.sql reads it alike). */
export function mentionedIds(nodes: readonly ContentNode[]): BeingId[] {
  const found = new Set<BeingId>();
  const walk = (list: readonly ContentNode[]): void => {
    for (const node of list) {
      if (typeof node === "string") continue;
      const id = node.props?.["id"];
      if (node.type === "mention" && typeof id === "string" && id.startsWith("@")) found.add(id as BeingId);
      walk(node.content ?? []);
    }
  };
  walk(nodes);
  return [...found];
}

/** The message a content replies to: its first top-level reply node's target (content_reply_to() alike). */
export function replyTarget(nodes: readonly ContentNode[]): IntentionId | null {
  for (const node of nodes) {
    if (typeof node === "string" || node.type !== "reply") continue;
    const to = node.props?.["to"];
    if (typeof to === "string" && to.startsWith("/")) return to as IntentionId;
  }
  return null;
}
