/** A link to a space. */
import type { JSX } from "solid-js";
import type { BeingId } from "../../shared/entities.ts";
import { spacePath } from "../router.ts";
import { AppLink } from "./app-link.tsx";

/** An `<a href="/@space">` that navigates in place on a plain click. */
export function SpaceLink(props: {
  id: BeingId;
  class?: string;
  children: JSX.Element;
  "aria-label"?: string;
  "aria-current"?: "page";
}) {
  return (
    <AppLink href={spacePath(props.id)} class={props.class} aria-label={props["aria-label"]} aria-current={props["aria-current"]}>
      {props.children}
    </AppLink>
  );
}
