/**
 * A message being written, as content: its text, with the mentions picked from the `@` list (each shown in
 * the text as "@Name") and the message it replies to. Only a picked mention becomes a mention node: typing
 * "@Ada" by hand stays text, and a picked one whose text was edited away is no longer a mention.
 */
import type { BeingId, ContentNode, IntentionId } from "../../shared/entities.ts";
import { mentionNode, replyNode, replyTarget } from "../../shared/content.ts";

/** A mention picked while writing: the being, and the name it was picked by (its text is `@${name}`). */
export interface PickedMention {
  id: BeingId;
  name: string;
}

/** What a draft sends: the text, with each picked mention's "@Name" as a mention node, after a reply node if it replies. A plain text is `[text]`, as ever. */
export function draftContent(text: string, picked: readonly PickedMention[], replyTo?: IntentionId): ContentNode[] {
  const content: ContentNode[] = replyTo ? [replyNode(replyTo)] : [];
  const byText = new Map(picked.map((mention) => [`@${mention.name}`, mention]));
  let rest = text;
  for (;;) {
    const found = firstMention(rest, [...byText.keys()]);
    if (!found) break;
    if (found.at > 0) content.push(rest.slice(0, found.at));
    const mention = byText.get(found.text)!;
    content.push(mentionNode(mention.id, mention.name));
    rest = rest.slice(found.at + found.text.length);
  }
  if (rest) content.push(rest);
  return content;
}

/** The earliest (then longest) of `texts` in `text`. */
function firstMention(text: string, texts: readonly string[]): { at: number; text: string } | undefined {
  let best: { at: number; text: string } | undefined;
  for (const candidate of texts) {
    const at = text.indexOf(candidate);
    if (at >= 0 && (!best || at < best.at || (at === best.at && candidate.length > best.text.length))) best = { at, text: candidate };
  }
  return best;
}

/** The draft a sent content opens as for editing: its text, the mentions it holds (kept on save), and its reply. */
export function draftOf(content: readonly ContentNode[]): { text: string; picked: PickedMention[]; replyTo?: IntentionId } {
  const picked: PickedMention[] = [];
  const text = (nodes: readonly ContentNode[]): string =>
    nodes
      .map((node) => {
        if (typeof node === "string") return node;
        const inner = text(node.content ?? []);
        const id = node.props?.["id"];
        if (node.type === "mention" && typeof id === "string" && inner.startsWith("@")) picked.push({ id: id as BeingId, name: inner.slice(1) });
        return inner;
      })
      .join("");
  return { text: text(content), picked, replyTo: replyTarget(content) ?? undefined };
}
