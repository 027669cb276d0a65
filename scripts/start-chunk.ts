/**
 * The web app's start chunk: the entry script index.html names, plus every chunk it imports
 * statically (transitively). Dynamic `import()`s are left out: they load after the first paint.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

export interface StartChunk {
  /** Paths relative to the build directory, entry first. */
  files: string[];
  bytes: number;
  gzipBytes: number;
}

// Vite's minified output: `import{a as b}from"./x.js"` and `import"./x.js"`, never `import("./x.js")`.
const STATIC_IMPORT = /(?:\bfrom|\bimport)\s*["'`](\.\/[^"'`]+\.js)["'`]/g;

/** Measures the start chunk of the web build in `distDir` (dist/web). */
export function startChunk(distDir: string): StartChunk {
  const html = readFileSync(join(distDir, "index.html"), "utf8");
  const entry = /<script[^>]*type="module"[^>]*src="\/([^"]+)"/.exec(html)?.[1];
  if (!entry) throw new Error(`no module script in ${join(distDir, "index.html")}`);
  const chunks = new Map<string, Buffer>();
  const visit = (file: string) => {
    if (chunks.has(file)) return;
    const content = readFileSync(join(distDir, file));
    chunks.set(file, content);
    const dir = file.slice(0, file.lastIndexOf("/") + 1);
    for (const [, relative] of content.toString("utf8").matchAll(STATIC_IMPORT)) visit(dir + relative!.slice(2));
  };
  visit(entry);
  const contents = [...chunks.values()];
  return {
    files: [...chunks.keys()],
    bytes: contents.reduce((n, c) => n + c.length, 0),
    gzipBytes: contents.reduce((n, c) => n + gzipSync(c).length, 0),
  };
}
