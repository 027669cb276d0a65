/**
 * The test OpenID provider (oidc-provider.ts) with a clock `clockOffsetSeconds` off, in a worker thread so
 * that only its clock is: everything it signs is dated by that clock, e.g. ID tokens that expired an hour
 * ago (they live an hour). Started by tests/setup/oidc-provider.ts; answers its issuer URL, stopped by terminate().
 */
import { parentPort, workerData } from "node:worker_threads";

const { clockOffsetSeconds, redirectUris } = workerData as { clockOffsetSeconds: number; redirectUris: string[] };
const realNow = Date.now;
Date.now = () => realNow() + clockOffsetSeconds * 1000;

const { startOidcProvider } = await import("./oidc-provider.ts");
const provider = await startOidcProvider();
provider.configure(redirectUris);
parentPort!.postMessage(provider.issuer);
