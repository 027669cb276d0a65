/**
 * The Markdown renderer itself: micromark with GitHub-flavoured Markdown (tables, strikethrough, task
 * lists, autolinked URLs, footnotes). Only `markdown.ts` imports it, dynamically: it stays out of the
 * start chunk.
 */
import { micromark } from "micromark";
import { gfm, gfmHtml } from "micromark-extension-gfm";

const syntax = [gfm()];

/**
 * Markdown as HTML. micromark's defaults are the sanitiser: raw HTML is escaped (`allowDangerousHtml`
 * stays off) and a link whose protocol is not http(s), mailto, irc(s) or xmpp loses its target
 * (`allowDangerousProtocol` stays off); GFM's autolinks only ever make http(s) and mailto links.
 * `footnotePrefix` starts the ids of footnotes and their references: each message needs its own, or
 * two messages with footnotes on one page would share ids (the footnotes' heading too, whose id the
 * extension does not prefix: renamed here, which is safe since text never holds an unescaped quote).
 */
export function toHtml(markdown: string, footnotePrefix = "fn-"): string {
  return micromark(markdown, { extensions: syntax, htmlExtensions: [gfmHtml({ clobberPrefix: footnotePrefix })] }).replaceAll(
    '"footnote-label"',
    `"${footnotePrefix}label"`,
  );
}
