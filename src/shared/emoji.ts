/**
 * What a reaction may be: one emoji, as a person sees one (a single grapheme), including ZWJ sequences,
 * skin tones, flags, keycaps and tag sequences. The server refuses anything else; the web app's picker
 * asks the same question before sending, so it can say why at once.
 */

/** Longer than any emoji sequence Unicode recommends (a family with skin tones is under 40), so the grapheme check stays cheap. */
export const MAX_EMOJI_LENGTH = 64;

// Only emoji code points and the parts that join or modify them, with at least one that shows a picture: a
// pictograph, a regional indicator (a flag is two) or a keycap's enclosing mark (a bare digit is not an emoji).
const EMOJI_PARTS = /^(?=.*(?:\p{Extended_Pictographic}|\p{Regional_Indicator}{2}|\u20e3))[\p{Emoji}\p{Emoji_Component}]+$/u;

let graphemes: Intl.Segmenter | undefined;

/** Whether `text` is exactly one emoji. */
export function isEmoji(text: string): boolean {
  if (text.length === 0 || text.length > MAX_EMOJI_LENGTH || !EMOJI_PARTS.test(text)) return false;
  graphemes ??= new Intl.Segmenter(undefined, { granularity: "grapheme" });
  let count = 0;
  for (const _ of graphemes.segment(text)) if (++count > 1) return false;
  return true;
}
