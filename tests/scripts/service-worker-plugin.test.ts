// The Vite plugin that builds /sw.js: this build's files to keep, a version that follows their
// contents, and a plain script (the TypeScript stripped, nothing imported) a browser can register.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { serviceWorker } from "../../scripts/service-worker-plugin.ts";

const source = fileURLToPath(new URL("../../src/web/service-worker/sw.ts", import.meta.url));
const publicDir = mkdtempSync(join(tmpdir(), "spaces-sw-public-"));
afterAll(() => rmSync(publicDir, { recursive: true, force: true }));
mkdirSync(join(publicDir, "icons"));
writeFileSync(join(publicDir, "_headers"), "/assets/*\n  X-Frame-Options: DENY\n");
writeFileSync(join(publicDir, "manifest.webmanifest"), "{}");
writeFileSync(join(publicDir, "icons", "icon.svg"), "<svg/>");

/** A hook of the plugin as a plain function (Vite types a hook as a function or `{ handler }`). */
const hook = (value: unknown) => (typeof value === "function" ? value : (value as { handler: Function }).handler);

/** Runs the plugin over a bundle of these files and returns the emitted sw.js. */
async function build(files: Record<string, string>): Promise<string> {
  const plugin = serviceWorker(source);
  hook(plugin.configResolved).call({}, { publicDir });
  const bundle = Object.fromEntries(
    Object.entries(files).map(([fileName, text]) => [fileName, fileName.endsWith(".js") ? { type: "chunk", code: text } : { type: "asset", source: text }]),
  );
  const emitted: { fileName: string; source: string }[] = [];
  await hook(plugin.generateBundle).call({ emitFile: (file: { fileName: string; source: string }) => emitted.push(file) }, {}, bundle, false);
  expect(emitted.map((file) => file.fileName)).toEqual(["sw.js"]);
  return emitted[0]!.source;
}

/** The BUILD line the plugin puts first. */
const buildOf = (sw: string) => JSON.parse(/^const BUILD = (.*);$/m.exec(sw)![1]!) as { version: string; files: string[] };

const APP = { "index.html": "<html>", "assets/index-abc.js": "console.log(1)", "assets/index-abc.css": "body{}" };

describe("the service worker build", () => {
  it("keeps the app document as /, every emitted asset and the public files, never the platform's _headers", async () => {
    expect(buildOf(await build(APP)).files).toEqual(["/", "/assets/index-abc.css", "/assets/index-abc.js", "/icons/icon.svg", "/manifest.webmanifest"]);
  });

  it("changes its version when any file changes, and only then", async () => {
    const first = buildOf(await build(APP)).version;
    expect(buildOf(await build(APP)).version).toBe(first);
    expect(buildOf(await build({ ...APP, "assets/index-abc.js": "console.log(2)" })).version).not.toBe(first);
    expect(buildOf(await build({ ...APP, "index.html": "<html lang=en>" })).version).not.toBe(first);
  });

  it("is a classic script: no types, no import or export", async () => {
    const sw = await build(APP);
    expect(sw).not.toMatch(/^\s*(import|export)\b/m);
    // Parses as a function body: what a classic worker script must be (it is not run here).
    expect(() => new Function(sw)).not.toThrow();
  });
});
