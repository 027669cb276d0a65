import { cloudflareTest } from "@cloudflare/vitest-plugin";
import solid from "vite-plugin-solid";
import { defineConfig } from "vitest/config";
import { GITHUB_CLIENT, OIDC_CLIENT } from "./tests/support/oidc-client.ts";

// Four suites, each runnable alone with `vitest run --project NAME`:
//   worker  inside workerd against a real PostgreSQL (tests/setup/database.ts starts it)
//   web     the SolidJS sync layers and components under jsdom
//   scripts the local tooling (Neon HTTP endpoint, stack helpers) in Node
//   stack   the full local stack: wrangler dev + PostgreSQL + livekit-server (+ Chromium for e2e)
export default defineConfig({
  test: {
    projects: [
      {
        plugins: [
          cloudflareTest(({ inject }) => ({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: {
                DATABASE_URL: inject<string>("databaseUrl"),
                NEON_HTTP_ENDPOINT: inject<string>("neonHttpEndpoint"),
                SESSION_SECRET: "test-session-secret",
                BOT_SECRETS_KEY: "test-bot-secrets-key-at-least-32-characters",
                // Bots stream from the fake provider (tests/support/fake-model-provider.ts); short timings keep tests quick.
                BOT_API_BASE_URL: inject<string>("modelProviderUrl"),
                BOT_STALL_SECONDS: "1",
                BOT_WRITE_INTERVAL_MS: "100",
                // Live sync off: the queue consumer that miniflare runs for every write acks and does
                // nothing. Tests of LiveKit paths pass a configured env (tests/worker/livekit-env.ts).
                LIVEKIT_URL: "",
                LIVEKIT_API_KEY: "",
                LIVEKIT_API_SECRET: "",
                SUPERUSER_IDS: "@root",
                // Web Push off, as live sync: the push queue's consumer that miniflare runs acks and does nothing.
                // Tests of push pass a configured env (tests/worker/push.db.test.ts).
                VAPID_PUBLIC_KEY: "",
                VAPID_PRIVATE_KEY: "",
                // The push services here are local ones on loopback (tests/worker/push.db.test.ts), listed beside a real one.
                PUSH_SERVICE_HOSTS: "127.0.0.1,fcm.googleapis.com",
                // Sign-in providers: real oidc-provider instances on loopback (tests/setup/oidc-provider.ts), and
                // a local GitHub (tests/setup/github.ts) at `url`, as a GitHub Enterprise Server is configured.
                AUTH_PROVIDERS: JSON.stringify([
                  { id: "test", name: "Test ID", issuer: inject<string>("oidcIssuer"), clientId: OIDC_CLIENT.id },
                  { id: "slow", name: "Slow clock ID", issuer: inject<string>("oidcSlowIssuer"), clientId: OIDC_CLIENT.id },
                  { id: "github", url: inject<string>("githubUrl"), clientId: GITHUB_CLIENT.id },
                ]),
                // Attachments' limits small enough to reach in a test (tests/worker/attachments.db.test.ts).
                ATTACHMENT_MAX_BYTES: String(64 * 1024),
                ATTACHMENT_DAILY_BYTES_PER_BEING: String(256 * 1024),
                ATTACHMENT_SPACE_BYTES: String(192 * 1024),
                AUTH_TEST_CLIENT_SECRET: OIDC_CLIENT.secret,
                AUTH_SLOW_CLIENT_SECRET: OIDC_CLIENT.secret,
                AUTH_GITHUB_CLIENT_SECRET: GITHUB_CLIENT.secret,
              },
            },
          })),
        ],
        test: {
          name: "worker",
          include: ["tests/worker/**/*.test.ts"],
          globalSetup: ["tests/setup/database.ts", "tests/setup/model-provider.ts", "tests/setup/oidc-provider.ts", "tests/setup/github.ts", "tests/setup/push-service.ts"],
        },
      },
      {
        plugins: [solid()],
        test: {
          name: "web",
          environment: "jsdom",
          include: ["tests/web/**/*.test.{ts,tsx}"],
        },
        resolve: { conditions: ["browser", "development"] },
      },
      {
        test: { name: "scripts", environment: "node", include: ["tests/scripts/**/*.test.ts"] },
      },
      {
        test: {
          name: "stack",
          environment: "node",
          include: ["tests/integration/**/*.test.ts", "tests/e2e/**/*.test.ts"],
          globalSetup: ["tests/setup/stack.ts"],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
