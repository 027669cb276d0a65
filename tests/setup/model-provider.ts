// globalSetup: the fake OpenAI-compatible provider (tests/support/fake-model-provider.ts) that bots
// stream from in the worker suite, its URL provided to the worker's bindings.
import type { TestProject } from "vitest/node";
import { startFakeModelProvider } from "../support/fake-model-provider.ts";

declare module "vitest" {
  export interface ProvidedContext {
    modelProviderUrl: string;
  }
}

/** Starts the provider, provides its URL, and returns the teardown that stops it. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const provider = await startFakeModelProvider();
  project.provide("modelProviderUrl", provider.url);
  return () => provider.close();
}
