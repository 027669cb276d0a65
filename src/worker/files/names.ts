/** A file's name as uploaded, made safe to store and show, and as a download's Content-Disposition carries it. */

const MAX_NAME_LENGTH = 200;

// C0 and C1 controls, and the bidirectional marks and overrides that make "gpj.exe" read as "exe.jpg".
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** `name` without a path (the part after the last / or \), control and bidi characters, outer spaces; at most 200 characters; "file" when nothing is left. */
export function cleanFileName(name: string): string {
  // Well formed: PostgreSQL's text refuses an unpaired surrogate.
  const last = name.toWellFormed().split(/[/\\]/).pop() ?? "";
  const clean = [...last.replace(UNSAFE, "").trim()].slice(0, MAX_NAME_LENGTH).join("").trim();
  return clean === "" || clean === "." || clean === ".." ? "file" : clean;
}

/**
 * A Content-Disposition: `inline`, or an attachment named `name` (RFC 6266): an ASCII fallback for old clients and
 * the exact name percent-encoded (RFC 8187).
 */
export function contentDisposition(name: string, inline: boolean): string {
  if (inline) return "inline";
  const fallback = name.replace(/[^\x20-\x7e]/g, "_").replace(/["\\]/g, "_");
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
