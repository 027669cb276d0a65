/**
 * Mentions inside a message's Markdown. A mention node is not Markdown: its place in the text is kept by
 * a placeholder of private-use characters, which Markdown leaves alone, and after rendering each
 * placeholder becomes a chip built with DOM calls (its name set as text, never parsed as HTML).
 */
import type { BeingId, ContentNode } from "../../shared/entities.ts";
import { contentText } from "../../shared/content.ts";

const OPEN = "\uE000";
const CLOSE = "\uE001";
const PLACEHOLDER = /\uE000(\d+)\uE001/g;

/** A mention found in content: who, and the text it was written with ("@Name"). */
export interface MentionInText {
  id: BeingId;
  text: string;
}

/** The Markdown of content (its strings, and nodes by their text) with a placeholder where each mention is. */
export function markdownWithMentions(content: readonly ContentNode[]): { markdown: string; mentions: MentionInText[] } {
  const mentions: MentionInText[] = [];
  const write = (nodes: readonly ContentNode[]): string =>
    nodes
      .map((node) => {
        // A placeholder typed into the text itself is no mention.
        if (typeof node === "string") return node.replace(/[\uE000\uE001]/g, "\uFFFD");
        const id = node.props?.["id"];
        if (node.type !== "mention" || typeof id !== "string") return write(node.content ?? []);
        mentions.push({ id: id as BeingId, text: contentText(node.content ?? []) });
        return `${OPEN}${mentions.length - 1}${CLOSE}`;
      })
      .join("");
  return { markdown: write(content), mentions };
}

/** A chip as shown: who, what it says, and whether it names the reader. */
export interface Chip {
  id: BeingId;
  label: string;
  me: boolean;
}

/** Replaces each placeholder in `fragment` by its chip, a button that opens the being's card (see `chipClicked`). */
export function insertChips(fragment: DocumentFragment, chips: readonly Chip[]): void {
  const walker = document.createTreeWalker(fragment, NodeFilter.SHOW_TEXT);
  const texts: Text[] = [];
  while (walker.nextNode()) if (walker.currentNode.nodeValue?.includes(OPEN)) texts.push(walker.currentNode as Text);
  for (const text of texts) {
    const parts = text.nodeValue!.split(PLACEHOLDER);
    // split with a capture group: text, index, text, index, …, text.
    text.replaceWith(...parts.map((part, i) => (i % 2 === 0 ? part : chipElement(chips[Number(part)]))));
  }
}

function chipElement(chip: Chip | undefined): Node {
  if (!chip) return document.createTextNode("");
  const button = document.createElement("button");
  button.type = "button";
  button.className = chip.me ? "mention me" : "mention";
  button.dataset["being"] = chip.id;
  button.setAttribute("aria-haspopup", "dialog");
  button.textContent = chip.label;
  return button;
}

/** The being whose chip a click in rendered Markdown landed on. */
export function chipClicked(event: MouseEvent): BeingId | undefined {
  const chip = (event.target as Element | null)?.closest?.("button.mention[data-being]");
  return (chip?.getAttribute("data-being") as BeingId | null) ?? undefined;
}
