// globalSetup of the `worker` project: a local GitHub (tests/support/fake-github.ts) the worker signs in with
// as its `github` provider, configured with `url` as a GitHub Enterprise Server would be.
import type { TestProject } from "vitest/node";
import { GITHUB_CLIENT } from "../support/oidc-client.ts";
import { startFakeGitHub } from "../support/fake-github.ts";

declare module "vitest" {
  export interface ProvidedContext {
    githubUrl: string;
  }
}

// The worker tests' origin (ORIGIN in tests/worker/client.ts, which only runs inside workerd).
const CALLBACK = "https://spaces.test/api/auth/oidc/github/callback";

/** Starts the server, provides its URL, and returns the teardown that stops it. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const github = await startFakeGitHub({ clientId: GITHUB_CLIENT.id, clientSecret: GITHUB_CLIENT.secret, callbackUrl: CALLBACK });
  project.provide("githubUrl", github.url);
  return () => github.close();
}
