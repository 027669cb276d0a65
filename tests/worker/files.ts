/** Files for the worker tests: the first bytes of a PNG (all the worker reads of one), and uploading bytes as a being. */
import { SELF } from "cloudflare:test";
import { type Client, cookieHeader, ORIGIN, type Reply } from "./client.ts";

const u32be = (n: number) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];

/** The first bytes of a PNG of `width`×`height` (a signature and its IHDR), then `extra` bytes of filler. */
export function png(width: number, height: number, extra = 64): Uint8Array {
  return new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, ...new TextEncoder().encode("IHDR"), ...u32be(width), ...u32be(height), 8, 6, 0, 0, 0, 0, 0, 0, 0, ...new Array(extra).fill(7)]);
}

/** Sends `bytes` as a file to `space` on behalf of `client` (POST /api/spaces/:id/attachments). */
export async function upload(client: Client, spaceId: string, bytes: Uint8Array, name = "file.bin", headers: Record<string, string> = {}): Promise<Reply<any>> {
  const response = await SELF.fetch(`${ORIGIN}/api/spaces/${spaceId}/attachments?name=${encodeURIComponent(name)}`, {
    method: "POST",
    headers: { Origin: ORIGIN, Cookie: cookieHeader(client.jar), "Content-Type": "image/png", ...headers },
    body: bytes,
  });
  const text = await response.text();
  return { status: response.status, body: response.headers.get("Content-Type")?.startsWith("application/json") ? JSON.parse(text) : text, headers: response.headers };
}
