/** The public keys that sign every sync batch: receivers verify each packet against this list. */
import { Hono } from "hono";
import type { AppEnv } from "../env.ts";
import { syncSigner } from "../sync/signer.ts";

export const sync = new Hono<AppEnv>().get("/sync/keys", async (c) => {
  // Public, and the same for every caller: browsers may keep it a while; an unknown kid makes them ask again.
  c.header("Cache-Control", "public, max-age=60");
  return c.json({ keys: (await syncSigner(c.env)).keys }, 200);
});
