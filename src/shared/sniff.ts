/**
 * A file's type from its first bytes (magic numbers), and an image's pixel size from its header: never from its
 * name or the client's word. Whatever is not recognised is "application/octet-stream", and that includes every
 * text format (HTML, SVG, scripts), so nothing that could run script is ever served as what it is. The worker
 * decides with it what a stored file is; the page, which photos to re-encode (whatever their name says).
 */

/** What the bytes say a file is. */
export interface Sniffed {
  type: string;
  width?: number;
  height?: number;
}

/** How many leading bytes `sniff` reads: enough for every header here (a JPEG's size follows its metadata). */
export const SNIFF_BYTES = 256 * 1024;

const OCTET_STREAM = "application/octet-stream";

const ascii = (bytes: Uint8Array, at: number, text: string) =>
  bytes.length >= at + text.length && [...text].every((char, i) => bytes[at + i] === char.charCodeAt(0));
const startsWith = (bytes: Uint8Array, magic: readonly number[]) => magic.every((byte, i) => bytes[i] === byte);
const u16be = (b: Uint8Array, at: number) => (b[at]! << 8) | b[at + 1]!;
const u16le = (b: Uint8Array, at: number) => b[at]! | (b[at + 1]! << 8);
const u24le = (b: Uint8Array, at: number) => b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16);
const u32be = (b: Uint8Array, at: number) => ((b[at]! << 24) >>> 0) + ((b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!);

/** A size only when both sides were read and are positive (a truncated or lying header gives none). */
function sized(type: string, width: number | undefined, height: number | undefined): Sniffed {
  return width && height && width > 0 && height > 0 ? { type, width, height } : { type };
}

function png(b: Uint8Array): Sniffed {
  const ihdr = ascii(b, 12, "IHDR") && b.length >= 24;
  return sized("image/png", ihdr ? u32be(b, 16) : undefined, ihdr ? u32be(b, 20) : undefined);
}

function gif(b: Uint8Array): Sniffed {
  return sized("image/gif", b.length >= 10 ? u16le(b, 6) : undefined, b.length >= 10 ? u16le(b, 8) : undefined);
}

/** WebP's three forms: lossy (VP8), lossless (VP8L) and extended (VP8X, its canvas). */
function webp(b: Uint8Array): Sniffed {
  if (ascii(b, 12, "VP8 ") && b.length >= 30) return sized("image/webp", u16le(b, 26) & 0x3fff, u16le(b, 28) & 0x3fff);
  if (ascii(b, 12, "VP8L") && b.length >= 25 && b[20] === 0x2f) {
    const bits = b[21]! | (b[22]! << 8) | (b[23]! << 16) | (b[24]! << 24);
    return sized("image/webp", (bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1);
  }
  if (ascii(b, 12, "VP8X") && b.length >= 30) return sized("image/webp", u24le(b, 24) + 1, u24le(b, 27) + 1);
  return { type: "image/webp" };
}

/** A JPEG's size is in its first start-of-frame segment (SOF0–SOF15 but DHT, JPG and DAC), after any metadata. */
function jpeg(b: Uint8Array): Sniffed {
  let at = 2;
  while (at + 9 < b.length) {
    if (b[at] !== 0xff) break;
    const marker = b[at + 1]!;
    // Fill bytes, and markers without a length (RSTn, TEM).
    if (marker === 0xff) { at += 1; continue; }
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) { at += 2; continue; }
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return sized("image/jpeg", u16be(b, at + 7), u16be(b, at + 5));
    }
    at += 2 + u16be(b, at + 2);
  }
  return { type: "image/jpeg" };
}

/** ISO base media by its major brand: MP4 video, M4A audio; other brands (QuickTime, HEIC, AVIF) are only downloads. */
function isoMedia(b: Uint8Array): string {
  const brand = String.fromCharCode(...b.subarray(8, 12));
  if (brand === "M4A " || brand === "M4B ") return "audio/mp4";
  if (["isom", "iso2", "mp41", "mp42", "avc1", "M4V ", "dash"].includes(brand)) return "video/mp4";
  return OCTET_STREAM;
}

/** Matroska's EBML header names its DocType: "webm" is WebM; any other Matroska is only a download. */
function ebml(b: Uint8Array): string {
  const head = String.fromCharCode(...b.subarray(0, 64));
  return head.includes("webm") ? "video/webm" : OCTET_STREAM;
}

/** The type (and an image's size) of a file whose first bytes are `head` (up to SNIFF_BYTES of them). */
export function sniff(head: Uint8Array): Sniffed {
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return png(head);
  if (startsWith(head, [0xff, 0xd8, 0xff])) return jpeg(head);
  if (ascii(head, 0, "GIF87a") || ascii(head, 0, "GIF89a")) return gif(head);
  if (ascii(head, 0, "RIFF") && ascii(head, 8, "WEBP")) return webp(head);
  if (ascii(head, 0, "RIFF") && ascii(head, 8, "WAVE")) return { type: "audio/wav" };
  if (ascii(head, 4, "ftyp")) return { type: isoMedia(head) };
  if (startsWith(head, [0x1a, 0x45, 0xdf, 0xa3])) return { type: ebml(head) };
  if (ascii(head, 0, "OggS")) return { type: "audio/ogg" };
  if (ascii(head, 0, "ID3") || (head.length >= 2 && head[0] === 0xff && (head[1]! & 0xe6) === 0xe2)) return { type: "audio/mpeg" };
  if (ascii(head, 0, "%PDF-")) return { type: "application/pdf" };
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04])) return { type: "application/zip" };
  return { type: OCTET_STREAM };
}
