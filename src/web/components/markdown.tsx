/** A block of rendered, sanitised Markdown. */
import { createRenderEffect, createUniqueId } from "solid-js";
import { renderMarkdown } from "../markdown.ts";

/**
 * Puts `html` into `element`, replacing only the top-level blocks from the first one that differs:
 * as a reply streams, the paragraphs already shown stay the same nodes (no re-layout, no flicker, a
 * selection in them survives) and only the growing tail is rebuilt. Links open in a new tab without
 * handing it our window, except a footnote's, which stay in the message.
 */
export function patchHtml(element: HTMLElement, html: string, decorate?: (fragment: DocumentFragment) => void): void {
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
  decorate?.(next.content);
  const incoming = [...next.content.childNodes];
  const current = [...element.childNodes];
  let same = 0;
  while (same < incoming.length && same < current.length && incoming[same]!.isEqualNode(current[same]!)) same++;
  for (const stale of current.slice(same)) stale.remove();
  for (const node of incoming.slice(same)) element.appendChild(node);
}

/**
 * Renders `text` as Markdown (as written until the renderer has loaded: see `loadMarkdown`); `decorate`
 * finishes the HTML before it is shown (mentions' chips: see rich-content.tsx).
 */
export function Markdown(props: { text: string; class?: string; decorate?(fragment: DocumentFragment): void; onClick?(event: MouseEvent): void }) {
  const element = (<div class={props.class ?? "markdown"} onClick={(event) => props.onClick?.(event)} />) as HTMLDivElement;
  const footnotePrefix = `fn-${createUniqueId()}-`;
  createRenderEffect(() => patchHtml(element, renderMarkdown(props.text, footnotePrefix), props.decorate));
  return element;
}
