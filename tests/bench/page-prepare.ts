/**
 * The page's own preparation of a picked file (src/web/attach/reencode.ts: the re-encoded bytes and the
 * preview), run in Chromium as the page runs it, so a bench stores exactly what a person's upload would.
 */
import { fileURLToPath } from "node:url";
import type { Browser } from "playwright-core";
import { build, type Rolldown } from "vite";
import { launchBrowser } from "../e2e/support.ts";

/** What the page uploads for a file: its body, and the preview it puts after it. */
export interface PagePrepared {
  body: Uint8Array<ArrayBuffer>;
  preview?: Uint8Array<ArrayBuffer>;
}

export interface PagePreparer {
  prepare(bytes: Uint8Array): Promise<PagePrepared>;
  close(): Promise<void>;
}

/** reencode.ts as one script that defines `reencode` (its exports) on the page. */
async function bundled(): Promise<string> {
  const output = await build({
    configFile: false,
    logLevel: "warn",
    build: {
      write: false,
      minify: false,
      lib: { entry: fileURLToPath(new URL("../../src/web/attach/reencode.ts", import.meta.url)), formats: ["iife"], name: "reencode" },
    },
  });
  return ((Array.isArray(output) ? output[0] : output) as Rolldown.RolldownOutput).output[0].code;
}

/** Starts Chromium with the page's preparation loaded; close() when done. */
export async function pagePreparer(): Promise<PagePreparer> {
  const browser: Browser = await launchBrowser();
  const page = await browser.newPage();
  await page.addScriptTag({ content: await bundled() });
  const decode = (base64: string) => new Uint8Array(Buffer.from(base64, "base64"));
  return {
    async prepare(bytes) {
      const prepared = await page.evaluate(async (base64) => {
        const file = new Blob([Uint8Array.from(atob(base64), (char) => char.charCodeAt(0))]);
        const { body, preview } = await (globalThis as unknown as { reencode: typeof import("../../src/web/attach/reencode.ts") }).reencode.prepare(file);
        const toBase64 = (blob: Blob) =>
          new Promise<string>((resolve) => {
            const reader = new FileReader();
            reader.onload = () => resolve(String(reader.result).split(",")[1] ?? "");
            reader.readAsDataURL(blob);
          });
        return { body: await toBase64(body), preview: preview && (await toBase64(preview)) };
      }, Buffer.from(bytes).toString("base64"));
      return { body: decode(prepared.body), ...(prepared.preview && { preview: decode(prepared.preview) }) };
    },
    close: () => browser.close(),
  };
}
