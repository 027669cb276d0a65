/** Reading structured content. */
import type { ContentNode } from "./entities.ts";

/** The text of structured content (strings as they are, nodes by their children). */
export function contentText(nodes: readonly ContentNode[]): string {
  return nodes.map((node) => (typeof node === "string" ? node : contentText(node.content ?? []))).join("");
}
