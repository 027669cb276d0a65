// globalSetup of the `worker` project: one migrated PostgreSQL and a Neon HTTP endpoint in front of it,
// shared by every worker test file.
import type { TestProject } from "vitest/node";
import { startNeonHttpEndpoint } from "../../scripts/local/neon-http-endpoint.ts";
import { applyMigrations } from "../../scripts/local/migrate.ts";
import { startPostgres } from "../../scripts/local/postgres.ts";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    neonHttpEndpoint: string;
  }
}

/** Starts and migrates the test database, provides its URLs, and returns the teardown that stops both. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const postgres = await startPostgres();
  try {
    await applyMigrations(postgres.connectionString);
    const endpoint = await startNeonHttpEndpoint({ connectionString: postgres.connectionString });
    project.provide("databaseUrl", postgres.connectionString);
    project.provide("neonHttpEndpoint", endpoint.url);
    return async () => {
      await endpoint.close();
      await postgres.stop();
    };
  } catch (error) {
    await postgres.stop();
    throw error;
  }
}
