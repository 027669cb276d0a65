/**
 * A stored file as an HTTP response. Whoever may read it gets it with headers that keep it inert: its detected type,
 * nosniff, a sandboxing CSP (a file opened as a page runs nothing and reaches nothing), same-origin only, kept by
 * the reader's browser but by no shared cache, and shown in place only when the route says so (an image, video or
 * audio the page would show anyway); everything else is a download. One byte range (video seeking) and If-None-Match are honoured.
 */
import { ApiError } from "../../shared/errors.ts";
import { contentDisposition } from "./names.ts";

/** The policy every file is served with: no script, no plugin, no request but same-origin images and media. */
export const FILE_CONTENT_SECURITY_POLICY = "default-src 'none'; img-src 'self'; media-src 'self'; sandbox";

/** A byte range, both ends included. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * The one range a Range header asks of a file of `size` bytes: undefined when there is none or it is not one
 * range of bytes (then the whole file is sent), "unsatisfiable" when it lies past the end.
 */
export function byteRange(header: string | null, size: number): ByteRange | "unsatisfiable" | undefined {
  const match = header?.match(/^bytes=(\d*)-(\d*)$/);
  if (!match || (match[1] === "" && match[2] === "")) return undefined;
  const [first, last] = [match[1]!, match[2]!];
  if (first === "") {
    const suffix = Number(last);
    return suffix === 0 ? "unsatisfiable" : { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === "" ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size) return "unsatisfiable";
  return end < start ? undefined : { start, end };
}

/** Which object is sent, as what type (its row's, read from its bytes at upload), under what name, and whether in place. */
export interface FileToServe {
  key: string;
  type: string;
  name: string;
  inline: boolean;
}

/** The response for `file` from `bucket`, for a request with `headers` (Range, If-None-Match). */
export async function serveFile(bucket: R2Bucket, file: FileToServe, headers: Headers): Promise<Response> {
  const stored = await bucket.head(file.key);
  if (!stored) throw new ApiError("NOT_FOUND", "attachment not found");
  const common: Record<string, string> = {
    ETag: stored.httpEtag,
    "Cache-Control": "private, max-age=31536000, immutable",
    "Content-Security-Policy": FILE_CONTENT_SECURITY_POLICY,
    "Cross-Origin-Resource-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "Accept-Ranges": "bytes",
  };
  if (headers.get("If-None-Match")?.split(",").some((tag) => tag.trim().replace(/^W\//, "") === stored.httpEtag)) {
    return new Response(null, { status: 304, headers: common });
  }
  const range = byteRange(headers.get("Range"), stored.size);
  if (range === "unsatisfiable") return new Response(null, { status: 416, headers: { ...common, "Content-Range": `bytes */${stored.size}` } });
  const object = await bucket.get(file.key, range ? { range: { offset: range.start, length: range.end - range.start + 1 } } : {});
  if (!object) throw new ApiError("NOT_FOUND", "attachment not found");
  const sent: Record<string, string> = {
    ...common,
    "Content-Type": file.type,
    "Content-Disposition": contentDisposition(file.name, file.inline),
    "Content-Length": String(range ? range.end - range.start + 1 : stored.size),
  };
  if (!range) return new Response(object.body, { status: 200, headers: sent });
  return new Response(object.body, { status: 206, headers: { ...sent, "Content-Range": `bytes ${range.start}-${range.end}/${stored.size}` } });
}
