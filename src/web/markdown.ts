/** Message text as HTML: Markdown through micromark, whose defaults are the sanitiser. */
import { micromark } from "micromark";

/**
 * Renders Markdown to HTML that is safe to put in the page: micromark escapes raw HTML
 * (`allowDangerousHtml` stays off) and drops links whose protocol is not http(s), mailto, irc(s) or
 * xmpp (`allowDangerousProtocol` stays off), so no script, event handler or javascript: URL survives.
 */
export function renderMarkdown(text: string): string {
  // In a conversation Shift+Enter means "new line": every single newline becomes a hard break
  // (CommonMark's two trailing spaces), where plain Markdown would join the lines.
  return micromark(text.replace(/(?<!\n)\n(?!\n)/g, "  \n"));
}
