/** A block of rendered, sanitised Markdown. */
import { createRenderEffect } from "solid-js";
import { renderMarkdown } from "../markdown.ts";

/** Renders `text` as Markdown; links open in a new tab without handing it our window. */
export function Markdown(props: { text: string; class?: string }) {
  const element = (<div class={props.class ?? "markdown"} />) as HTMLDivElement;
  createRenderEffect(() => {
    element.innerHTML = renderMarkdown(props.text);
    for (const link of element.querySelectorAll("a")) {
      // micromark empties the href of a dangerous link; an empty one would reload the app.
      if (!link.getAttribute("href")) link.removeAttribute("href");
      link.target = "_blank";
      link.rel = "noopener noreferrer nofollow";
    }
  });
  return element;
}
