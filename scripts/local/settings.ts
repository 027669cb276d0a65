// The worker's settings, by name: what an operator may set for `npm run dev` in the environment.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseEnv } from "node:util";

const root = fileURLToPath(new URL("../..", import.meta.url));
// .dev.vars.example documents every setting (and `npm run types` types Env from it), so it names them here too.
const documented = new Set(Object.keys(parseEnv(readFileSync(join(root, ".dev.vars.example"), "utf8"))));
// Each sign-in provider's secret is named after its id (src/worker/auth/providers.ts), so no list can hold them all.
const providerSecret = /^AUTH_[A-Z0-9_]+_CLIENT_SECRET$/;

/** The worker settings set in `environment`: `wrangler dev` hands the worker none of its own environment. */
export function workerSettingsIn(environment: NodeJS.ProcessEnv): Record<string, string> {
  const settings: Record<string, string> = {};
  for (const [name, value] of Object.entries(environment)) {
    if (value !== undefined && (documented.has(name) || providerSecret.test(name))) settings[name] = value;
  }
  return settings;
}
