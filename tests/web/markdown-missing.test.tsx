import "@testing-library/jest-dom/vitest";
import { render, screen } from "@solidjs/testing-library";
import { expect, it, vi } from "vitest";
import { MessageList } from "../../src/web/components/message-list.tsx";
import { backoff } from "../../src/web/sync/backoff.ts";
import { createOutbox } from "../../src/web/sync/outbox.ts";
import { createSpaceSync } from "../../src/web/sync/store.ts";
import { fakeLink } from "./support/fake-link.ts";
import { fakeServer, json } from "./support/fake-server.ts";
import { said, snapshot, SPACE } from "./support/fixtures.ts";

// The renderer's chunk cannot be fetched (offline, or replaced by a deploy while the tab was open).
vi.mock("micromark", () => {
  throw new TypeError("Failed to fetch dynamically imported module");
});

it("says so when the messages' renderer cannot be loaded, instead of showing an empty conversation", async () => {
  fakeServer({ "GET /api/spaces/%40s": () => json(snapshot({ intentions: [said("/a", 1)] })) });
  const outbox = createOutbox({ storageKey: "spaces:outbox:@me", delays: backoff(60_000, 60_000) });
  const sync = createSpaceSync(SPACE, { outbox, openLink: fakeLink().open, retryDelays: backoff(5, 20) });
  await vi.waitFor(() => expect(sync.view).not.toBeNull());
  const onShown = vi.fn();
  render(() => <MessageList sync={sync} view={sync.view!} meId="@me" author={(id) => id} onShown={onShown} />);
  expect(await screen.findByRole("alert")).toHaveTextContent("The messages could not be shown: reload to try again.");
  // All there is to show is shown: what waits for it (the room) goes ahead.
  expect(onShown).toHaveBeenCalledOnce();
  expect(screen.queryAllByTestId("message")).toHaveLength(0);
  sync.close();
  outbox.close();
});
