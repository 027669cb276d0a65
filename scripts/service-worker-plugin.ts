/**
 * A Vite plugin that builds the service worker (src/web/service-worker/sw.ts) into /sw.js with the
 * build's precache list (the app document, every emitted asset, the public files) and a version
 * hashed from their contents: each deploy's worker differs by at least that line, so browsers
 * install it and it replaces the previous deploy's cache.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { transformWithOxc, type Plugin } from "vite";

/** Builds `source` into `sw.js` at the root of the output. */
export function serviceWorker(source: string): Plugin {
  let publicDir = "";
  return {
    name: "spaces-service-worker",
    apply: "build",
    configResolved(config) {
      publicDir = config.publicDir;
    },
    async generateBundle(_options, bundle) {
      const hash = createHash("sha256");
      // The app document is kept as "/", the address the worker serves it at.
      const files = ["/"];
      for (const name of Object.keys(bundle).sort()) {
        const item = bundle[name]!;
        hash.update(name).update(item.type === "chunk" ? item.code : item.source);
        if (name !== "index.html") files.push(`/${name}`);
      }
      for (const path of publicFiles(publicDir)) {
        const name = relative(publicDir, path).split(sep).join("/");
        hash.update(name).update(readFileSync(path));
        files.push(`/${name}`);
      }
      const build = { version: hash.digest("hex").slice(0, 16), files };
      const { code } = await transformWithOxc(readFileSync(source, "utf8"), source, { lang: "ts" });
      this.emitFile({ type: "asset", fileName: "sw.js", source: `const BUILD = ${JSON.stringify(build)};\n${code}` });
    },
  };
}

/** Every file under the public directory but Cloudflare's own (_headers, _redirects: read by the platform, never served). */
function publicFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && !entry.name.startsWith("_"))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}
