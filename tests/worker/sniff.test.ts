// What a file is, read from its first bytes (src/shared/sniff.ts), and the pure parts of serving it.
import { describe, expect, it } from "vitest";
import { contentDisposition, cleanFileName } from "../../src/worker/files/names.ts";
import { byteRange } from "../../src/worker/files/serve.ts";
import { sniff } from "../../src/shared/sniff.ts";

const bytes = (...parts: Array<string | number[]>) =>
  new Uint8Array(parts.flatMap((part) => (typeof part === "string" ? [...part].map((c) => c.charCodeAt(0)) : part)));
const u16be = (n: number) => [(n >>> 8) & 255, n & 255];
const u16le = (n: number) => [n & 255, (n >>> 8) & 255];
const u24le = (n: number) => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255];
const u32be = (n: number) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];

describe("sniff", () => {
  it("reads a PNG's size from its IHDR", () => {
    expect(sniff(bytes([0x89], "PNG\r\n\x1a\n", u32be(13), "IHDR", u32be(4032), u32be(3024)))).toEqual({ type: "image/png", width: 4032, height: 3024 });
  });

  it("reads a JPEG's size from its first frame header, past its metadata", () => {
    const exif = [0xff, 0xe1, ...u16be(2 + 300), ...new Array(300).fill(0)];
    const dqt = [0xff, 0xdb, ...u16be(2 + 4), 0, 1, 2, 3];
    const sof2 = [0xff, 0xc2, ...u16be(17), 8, ...u16be(1080), ...u16be(1920), 3];
    expect(sniff(bytes([0xff, 0xd8], exif, dqt, sof2, new Array(16).fill(0)))).toEqual({ type: "image/jpeg", width: 1920, height: 1080 });
    // A Huffman table (C4) is not a frame header.
    const dht = [0xff, 0xc4, ...u16be(2 + 8), ...new Array(8).fill(9)];
    const sof0 = [0xff, 0xc0, ...u16be(17), 8, ...u16be(10), ...u16be(20), 3];
    expect(sniff(bytes([0xff, 0xd8], dht, sof0, new Array(16).fill(0)))).toEqual({ type: "image/jpeg", width: 20, height: 10 });
    // Cut before its frame header: a JPEG of unknown size.
    expect(sniff(bytes([0xff, 0xd8, 0xff, 0xe0], u16be(16)))).toEqual({ type: "image/jpeg" });
  });

  it("reads a GIF's logical screen", () => {
    expect(sniff(bytes("GIF87a", u16le(320), u16le(200)))).toEqual({ type: "image/gif", width: 320, height: 200 });
  });

  it("reads WebP's lossy, lossless and extended headers", () => {
    const riff = (chunk: string, body: number[]) => bytes("RIFF", [0, 0, 0, 0], "WEBP", chunk, [0, 0, 0, 0], body);
    expect(sniff(riff("VP8 ", [0, 0, 0, 0x9d, 0x01, 0x2a, ...u16le(800), ...u16le(600)]))).toEqual({ type: "image/webp", width: 800, height: 600 });
    const bits = (99 & 0x3fff) | ((49 & 0x3fff) << 14);
    expect(sniff(riff("VP8L", [0x2f, bits & 255, (bits >>> 8) & 255, (bits >>> 16) & 255, (bits >>> 24) & 255]))).toEqual({ type: "image/webp", width: 100, height: 50 });
    expect(sniff(riff("VP8X", [0, 0, 0, 0, ...u24le(2999), ...u24le(1999)]))).toEqual({ type: "image/webp", width: 3000, height: 2000 });
  });

  it("knows audio, video and a few documents; other ISO and Matroska brands are only downloads", () => {
    expect(sniff(bytes([0, 0, 0, 24], "ftypisom"))).toEqual({ type: "video/mp4" });
    expect(sniff(bytes([0, 0, 0, 24], "ftypM4A "))).toEqual({ type: "audio/mp4" });
    expect(sniff(bytes([0, 0, 0, 24], "ftypheic"))).toEqual({ type: "application/octet-stream" });
    expect(sniff(bytes([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x82, 0x84], "webm"))).toEqual({ type: "video/webm" });
    expect(sniff(bytes([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x82, 0x88], "matroska"))).toEqual({ type: "application/octet-stream" });
    expect(sniff(bytes("OggS", [0]))).toEqual({ type: "audio/ogg" });
    expect(sniff(bytes("ID3", [4, 0]))).toEqual({ type: "audio/mpeg" });
    expect(sniff(bytes([0xff, 0xfb, 0x90, 0x00]))).toEqual({ type: "audio/mpeg" });
    expect(sniff(bytes("RIFF", [0, 0, 0, 0], "WAVEfmt "))).toEqual({ type: "audio/wav" });
    expect(sniff(bytes("%PDF-1.7"))).toEqual({ type: "application/pdf" });
    expect(sniff(bytes("PK", [3, 4]))).toEqual({ type: "application/zip" });
  });

  it("calls every text format, script included, octet-stream", () => {
    for (const text of ["<!doctype html><script>alert(1)</script>", '<svg xmlns="http://www.w3.org/2000/svg"/>', "<?xml version='1.0'?>", "hello", ""]) {
      expect(sniff(bytes(text))).toEqual({ type: "application/octet-stream" });
    }
  });

  it("gives no size for a truncated or zero-sized header", () => {
    expect(sniff(bytes("GIF89a", [1]))).toEqual({ type: "image/gif" });
    expect(sniff(bytes("GIF89a", u16le(0), u16le(10)))).toEqual({ type: "image/gif" });
    expect(sniff(bytes([0x89], "PNG\r\n\x1a\n"))).toEqual({ type: "image/png" });
  });
});

describe("names and ranges", () => {
  it("cleans a file's name", () => {
    expect(cleanFileName("a/b\\c.txt")).toBe("c.txt");
    expect(cleanFileName("\u202Etxt.exe")).toBe("txt.exe");
    expect(cleanFileName("..")).toBe("file");
    expect(cleanFileName("")).toBe("file");
  });

  it("names a download for old and new clients alike", () => {
    expect(contentDisposition("x.png", true)).toBe("inline");
    expect(contentDisposition("naïve 'plan' (1).pdf", false)).toBe(`attachment; filename="na_ve 'plan' (1).pdf"; filename*=UTF-8''na%C3%AFve%20%27plan%27%20%281%29.pdf`);
  });

  it("reads one byte range, and ignores what is not one", () => {
    expect(byteRange("bytes=0-9", 100)).toEqual({ start: 0, end: 9 });
    expect(byteRange("bytes=90-", 100)).toEqual({ start: 90, end: 99 });
    expect(byteRange("bytes=90-500", 100)).toEqual({ start: 90, end: 99 });
    expect(byteRange("bytes=-10", 100)).toEqual({ start: 90, end: 99 });
    expect(byteRange("bytes=-500", 100)).toEqual({ start: 0, end: 99 });
    expect(byteRange("bytes=100-", 100)).toBe("unsatisfiable");
    expect(byteRange("bytes=0-1,5-6", 100)).toBeUndefined();
    expect(byteRange("bytes=9-1", 100)).toBeUndefined();
    expect(byteRange("items=0-1", 100)).toBeUndefined();
    expect(byteRange(null, 100)).toBeUndefined();
  });
});
