/** A round badge with a being's initials, in a colour derived from its id (stable across renames). */
import type { BeingId } from "../../shared/entities.ts";

/** Up to two initials: "Ada Lovelace" → "AL", "grace" → "G". */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0], words[words.length - 1]] : words;
  return letters.map((word) => Array.from(word)[0]?.toUpperCase() ?? "").join("") || "?";
}

function hue(id: string): number {
  let hash = 0;
  for (const char of id) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return hash % 360;
}

/**
 * The badge; hidden from screen readers, since the name is always written next to it (and, where a
 * click on it opens something, the name opens it too).
 */
export function Avatar(props: { id: BeingId; name: string; onClick?: () => void }) {
  return (
    <span class="avatar" classList={{ clickable: !!props.onClick }} style={{ "--hue": String(hue(props.id)) }} aria-hidden="true" onClick={() => props.onClick?.()}>
      {initials(props.name)}
    </span>
  );
}
