/**
 * Real image files for tests and benchmarks, made in Node without an image library: PNGs (8-bit RGB, a
 * diagonal gradient, so the deflated file is not trivially small, and optionally a tEXt chunk), and a JPEG
 * given an Exif block with a camera and a GPS position: the metadata an upload must not keep.
 */
import { deflateSync } from "node:zlib";

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const typed = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const out = Buffer.alloc(typed.length + 8);
  out.writeUInt32BE(data.length, 0);
  typed.copy(out, 4);
  out.writeUInt32BE(crc32(typed), typed.length + 4);
  return out;
}

/**
 * A `width`×`height` PNG; `text` adds a tEXt chunk (keyword "Comment") carrying it. `grain` adds that much
 * pseudo-random noise to each value (the same every time), as a photo has: a smooth gradient alone, which any
 * encoder compresses to almost nothing, is lighter than any picture a person sends.
 */
export function png(width: number, height: number, options: { text?: string; hue?: number; grain?: number } = {}): Uint8Array<ArrayBuffer> {
  const hue = options.hue ?? 0;
  const grain = options.grain ?? 0;
  let seed = 1 + hue;
  const noise = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return grain ? (seed >>> 16) % (grain + 1) : 0;
  };
  const rows = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    for (let x = 0; x < width; x++) {
      const at = row + 1 + x * 3;
      rows[at] = (x + hue + noise()) & 0xff;
      rows[at + 1] = (y + 2 * hue + noise()) & 0xff;
      rows[at + 2] = (x + y + noise()) & 0xff;
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return new Uint8Array(Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    ...(options.text ? [chunk("tEXt", Buffer.from(`Comment\0${options.text}`, "latin1"))] : []),
    chunk("IDAT", deflateSync(rows)),
    chunk("IEND", new Uint8Array()),
  ]));
}

/** A TIFF IFD entry, big-endian: tag, type, count, and a value or an offset (4 bytes). */
function entry(tag: number, type: number, count: number, value: number | Buffer): Buffer {
  const out = Buffer.alloc(12);
  out.writeUInt16BE(tag, 0);
  out.writeUInt16BE(type, 2);
  out.writeUInt32BE(count, 4);
  if (typeof value === "number") out.writeUInt32BE(value, 8);
  else value.copy(out, 8);
  return out;
}

/**
 * `jpeg` with an Exif APP1 segment put right after its start marker: IFD0 names the camera (`make`, Make) and
 * points to a GPS IFD holding a latitude reference and a latitude of 51° 30′. Decoders show the picture as before.
 */
export function withExif(jpeg: Uint8Array, make: string): Uint8Array<ArrayBuffer> {
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new Error("not a JPEG");
  const ASCII = 2, LONG = 4, RATIONAL = 5;
  const makeText = Buffer.from(`${make}\0`, "latin1");
  // Layout after the 8-byte TIFF header: IFD0 (2 entries), the make text, the GPS IFD (2 entries), the latitude.
  const ifd0At = 8;
  const ifd0Size = 2 + 2 * 12 + 4;
  const makeAt = ifd0At + ifd0Size;
  const gpsAt = makeAt + makeText.length;
  const gpsSize = 2 + 2 * 12 + 4;
  const latitudeAt = gpsAt + gpsSize;
  const count = (n: number) => Buffer.from([n >> 8, n & 0xff]);
  const latitude = Buffer.alloc(24);
  [51, 1, 30, 1, 0, 1].forEach((n, i) => latitude.writeUInt32BE(n, i * 4));
  const tiff = Buffer.concat([
    Buffer.from("MM\0\x2a\0\0\0\x08", "latin1"),
    count(2), entry(0x010f, ASCII, makeText.length, makeAt), entry(0x8825, LONG, 1, gpsAt), Buffer.alloc(4),
    makeText,
    count(2), entry(0x0001, ASCII, 2, Buffer.from("N\0\0\0", "latin1")), entry(0x0002, RATIONAL, 3, latitudeAt), Buffer.alloc(4),
    latitude,
  ]);
  const body = Buffer.concat([Buffer.from("Exif\0\0", "latin1"), tiff]);
  const length = Buffer.alloc(2);
  length.writeUInt16BE(body.length + 2);
  return new Uint8Array(Buffer.concat([jpeg.subarray(0, 2), Buffer.from([0xff, 0xe1]), length, body, jpeg.subarray(2)]));
}
