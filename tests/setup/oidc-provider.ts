// globalSetup of the `worker` project: two real OpenID providers (tests/support/oidc-provider.ts) the
// worker signs in with: `test`, and `slow`, whose clock is two hours behind, so its ID tokens (valid for one) arrive expired.
import { Worker } from "node:worker_threads";
import type { TestProject } from "vitest/node";
import { callbackUrl, WORKER_ORIGIN } from "../support/oidc-client.ts";
import { startOidcProvider } from "../support/oidc-provider.ts";

declare module "vitest" {
  export interface ProvidedContext {
    oidcIssuer: string;
    oidcSlowIssuer: string;
  }
}

const callback = (provider: string) => callbackUrl(WORKER_ORIGIN, provider);

/** Starts both providers, provides their issuers, and returns the teardown that stops them. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const provider = await startOidcProvider();
  provider.configure([callback("test")]);
  const slow = new Worker(new URL("../support/oidc-provider-thread.ts", import.meta.url), {
    workerData: { clockOffsetSeconds: -7200, redirectUris: [callback("slow")] },
  });
  const slowIssuer = await new Promise<string>((resolve, reject) => {
    slow.once("message", resolve);
    slow.once("error", reject);
  }).catch(async (error: unknown) => {
    await provider.close();
    throw error;
  });
  project.provide("oidcIssuer", provider.issuer);
  project.provide("oidcSlowIssuer", slowIssuer);
  return async () => {
    await slow.terminate();
    await provider.close();
  };
}
