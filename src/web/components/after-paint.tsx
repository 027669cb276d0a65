/** Content that can wait a frame: it joins after what is around it has painted, in a task of its own. */
import { createSignal, Show, type JSX } from "solid-js";
import { afterPaint } from "../scheduling.ts";

/** Renders its children once the page around it has painted. */
export function AfterPaint(props: { children: JSX.Element }) {
  const [ready, setReady] = createSignal(false);
  void afterPaint().then(() => setReady(true));
  return <Show when={ready()}>{props.children}</Show>;
}
