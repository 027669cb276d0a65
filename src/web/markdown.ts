/** Message text as HTML: GitHub-flavoured Markdown through micromark, whose defaults are the sanitiser. */
import { createSignal } from "solid-js";

type ToHtml = typeof import("./markdown-renderer.ts").toHtml;

let toHtml: ToHtml | undefined;
let loading: Promise<void> | undefined;
/** True once `loadMarkdown` has brought the renderer in: until then `renderMarkdown` shows text as written. */
const [markdownReady, setLoaded] = createSignal(false);
export { markdownReady };

/**
 * Loads the renderer (micromark and its GFM extension), once. It is about 21 KiB gzip, more than half
 * of what the app needs at start, and only a conversation uses it: the sign-in page never loads it, and
 * a space loads it alongside its snapshot. A failed load (the network went away) is tried again by the next call.
 */
export function loadMarkdown(): Promise<void> {
  loading ??= import("./markdown-renderer.ts").then(
    (module) => {
      toHtml = module.toHtml;
      setLoaded(true);
    },
    (error: unknown) => {
      loading = undefined;
      throw error;
    },
  );
  return loading;
}

/**
 * Renders Markdown to HTML that is safe to put in the page (see `toHtml` in markdown-renderer.ts: no
 * script, event handler or javascript: URL survives). Until the renderer has loaded, the text as written
 * (escaped): a message is never shown empty, and an effect that calls this renders it again once the
 * renderer is here. `footnotePrefix`: what makes this message's footnote ids its own.
 */
export function renderMarkdown(text: string, footnotePrefix?: string): string {
  const plain = plainText(text);
  if (plain !== undefined) return plain;
  return markdownReady() ? toHtml!(withHardBreaks(text), footnotePrefix) : text && paragraphs(text);
}

// A fenced code block (to its closing fence, or to the end of the text), or a single newline.
const FENCED_OR_NEWLINE = /^ {0,3}((`|~)\2{2,})[^\n]*(?:\n(?! {0,3}\1\2*[ \t]*$)[^\n]*)*(?:\n {0,3}\1\2*[ \t]*$)?|(?<!\n)\n(?!\n)/gm;

/**
 * Every single newline a hard break (CommonMark's two trailing spaces): in a conversation Shift+Enter
 * means "new line", where plain Markdown would join the lines. Not inside a fenced code block, whose
 * lines are kept as written.
 */
export const withHardBreaks = (text: string) => text.replace(FENCED_OR_NEWLINE, (match, fence) => (fence ? match : "  \n"));

// What can start Markdown inside a line (or needs escaping: & < >), GFM's strikethrough and table
// cells, and control characters.
const INLINE_SYNTAX = /[\\`*_[\]<>&~|\x00-\x09\x0b-\x1f]/;
// What GFM turns into a link without brackets: www., http(s)://, mailto:, xmpp: and e-mail addresses.
const AUTOLINK = /www\.|https?:\/\/|mailto:|xmpp:|@/i;
// What can start a block at the start of a line: indentation, list and heading markers, setext
// underlines, quotes, fences, ordered list numbers.
const BLOCK_START = /^([ \-+*#=>~]|\d+[.)])/m;

/**
 * The HTML micromark makes of text in which Markdown can do nothing: paragraphs split at blank lines,
 * hard breaks at single newlines, `"` escaped. Most of a conversation is such text, and micromark was
 * half of what rendering a row cost (tested equal to micromark's output in tests/web/markdown.test.tsx).
 * Undefined for any other text.
 */
export function plainText(text: string): string | undefined {
  if (!text || INLINE_SYNTAX.test(text) || AUTOLINK.test(text) || BLOCK_START.test(text) || /^\s|\s$/.test(text)) return undefined;
  return paragraphs(text);
}

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" };

/** Text as written, in HTML: paragraphs split at blank lines, hard breaks at single newlines, & < > " escaped. */
function paragraphs(text: string): string {
  return text
    .split(/\n{2,}/)
    .map((paragraph) => `<p>${paragraph.replace(/ +(?=\n|$)/g, "").replace(/[&<>"]/g, (c) => ESCAPES[c]!).replaceAll("\n", "<br />\n")}</p>`)
    .join("\n");
}
