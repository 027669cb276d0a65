/** A link to a space that moves within the app (no page load), yet opens in a new tab on modified clicks. */
import type { JSX } from "solid-js";
import type { BeingId } from "../../shared/entities.ts";
import { navigate, spacePath } from "../router.ts";

/** An `<a href="/@space">` that navigates in place on a plain click. */
export function SpaceLink(props: {
  id: BeingId;
  class?: string;
  children: JSX.Element;
  "aria-label"?: string;
  "aria-current"?: "page";
}) {
  return (
    <a
      class={props.class}
      href={spacePath(props.id)}
      aria-label={props["aria-label"]}
      aria-current={props["aria-current"]}
      onClick={(event) => {
        if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey || event.button !== 0) return;
        event.preventDefault();
        navigate(props.id);
      }}
    >
      {props.children}
    </a>
  );
}
