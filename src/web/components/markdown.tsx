/** A block of rendered, sanitised Markdown. */
import { createRenderEffect, createUniqueId } from "solid-js";
import type { BeingId } from "../../shared/entities.ts";
import { renderMarkdown } from "../markdown.ts";
import { chipClicked, insertChips, type Chip } from "./mention-chips.ts";

/**
 * Puts `html` into `element`, replacing only the top-level blocks from the first one that differs:
 * as a reply streams, the paragraphs already shown stay the same nodes (no re-layout, no flicker, a
 * selection in them survives) and only the growing tail is rebuilt. Links open in a new tab without
 * handing it our window, except a footnote's, which stay in the message.
 */
export function patchHtml(element: HTMLElement, html: string, chips?: readonly Chip[]): void {
  // Parsed once, into a template: its content is inert (no image loads, no handlers) until adopted.
  const next = document.createElement("template");
  next.innerHTML = html;
  for (const link of next.content.querySelectorAll("a")) {
    // micromark empties the href of a dangerous link; an empty one would reload the app.
    if (!link.getAttribute("href")) link.removeAttribute("href");
    if (link.getAttribute("href")?.startsWith("#")) continue;
    link.target = "_blank";
    link.rel = "noopener noreferrer nofollow";
  }
  // A task's checkbox is named by its task; a block that may scroll sideways (code, a table on a phone)
  // can be reached with the keyboard to scroll it.
  for (const box of next.content.querySelectorAll("li > input[type=checkbox]")) {
    box.setAttribute("aria-label", box.parentElement!.textContent!.trim());
  }
  for (const block of next.content.querySelectorAll("pre, table")) block.setAttribute("tabindex", "0");
  if (chips) insertChips(next.content, chips);
  const incoming = [...next.content.childNodes];
  const current = [...element.childNodes];
  let same = 0;
  while (same < incoming.length && same < current.length && incoming[same]!.isEqualNode(current[same]!)) same++;
  for (const stale of current.slice(same)) stale.remove();
  for (const node of incoming.slice(same)) element.appendChild(node);
}

/**
 * Renders `text` as Markdown (as written until the renderer has loaded: see `loadMarkdown`), with `chips`
 * in the places markdownWithMentions() marked; a click on one calls `onChip`.
 */
export function Markdown(props: { text: string; class?: string; chips?: readonly Chip[]; onChip?(id: BeingId): void }) {
  const element = (<div class={props.class ?? "markdown"} />) as HTMLDivElement;
  const footnotePrefix = `fn-${createUniqueId()}-`;
  createRenderEffect(() => patchHtml(element, renderMarkdown(props.text, footnotePrefix), props.chips));
  element.addEventListener("click", (event) => {
    const id = chipClicked(event);
    if (id) props.onChip?.(id);
  });
  return element;
}
