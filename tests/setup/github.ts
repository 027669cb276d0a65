// globalSetup of the `worker` project: a local GitHub (tests/support/fake-github.ts) the worker signs in with
// as its `github` provider, configured with `url` as a GitHub Enterprise Server would be.
import type { TestProject } from "vitest/node";
import { callbackUrl, GITHUB_CLIENT, WORKER_ORIGIN } from "../support/oidc-client.ts";
import { startFakeGitHub } from "../support/fake-github.ts";

declare module "vitest" {
  export interface ProvidedContext {
    githubUrl: string;
  }
}

/** Starts the server, provides its URL, and returns the teardown that stops it. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const github = await startFakeGitHub({ clientId: GITHUB_CLIENT.id, clientSecret: GITHUB_CLIENT.secret, callbackUrl: callbackUrl(WORKER_ORIGIN, "github") });
  project.provide("githubUrl", github.url);
  return () => github.close();
}
