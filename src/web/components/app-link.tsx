/** A link within the app that moves without a page load, yet opens in a new tab on modified clicks. */
import type { JSX } from "solid-js";
import { go } from "../router.ts";

/** An `<a href>` to one of the app's paths that navigates in place on a plain click. */
export function AppLink(props: {
  href: string;
  class?: string;
  children: JSX.Element;
  "aria-label"?: string;
  "aria-current"?: "page";
}) {
  return (
    <a
      class={props.class}
      href={props.href}
      aria-label={props["aria-label"]}
      aria-current={props["aria-current"]}
      onClick={(event) => {
        if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey || event.button !== 0) return;
        event.preventDefault();
        go(props.href);
      }}
    >
      {props.children}
    </a>
  );
}
