import "@testing-library/jest-dom/vitest";
import { render, screen } from "@solidjs/testing-library";
import { expect, it, vi } from "vitest";
import { MessageList } from "../../src/web/components/message-list.tsx";
import { markdownReady } from "../../src/web/markdown.ts";
import { backoff } from "../../src/web/sync/backoff.ts";
import { createOutbox } from "../../src/web/sync/outbox.ts";
import { createSpaceSync } from "../../src/web/sync/store.ts";
import { fakeLink } from "./support/fake-link.ts";
import { fakeServer, json } from "./support/fake-server.ts";
import { said, snapshot, SPACE } from "./support/fixtures.ts";

// The renderer's chunk is still on its way (a slow network after a reload): it never arrives here.
vi.mock("micromark", () => new Promise(() => undefined));

it("shows a Markdown message's text, escaped, while the renderer is still loading: never an empty body", async () => {
  const markdown = "**bold** <b>not html</b>\n\n- a list\n- [a link](https://example.com)";
  fakeServer({ "GET /api/spaces/%40s": () => json(snapshot({ intentions: [said("/a", 1), said("/b", 2, { content: [markdown] })] })) });
  const outbox = createOutbox({ storageKey: "spaces:outbox:@me", delays: backoff(60_000, 60_000) });
  const sync = createSpaceSync(SPACE, { outbox, openLink: fakeLink().open, retryDelays: backoff(5, 20) });
  await vi.waitFor(() => expect(sync.view).not.toBeNull());
  render(() => <MessageList sync={sync} view={sync.view!} meId="@me" author={(id) => id} />);

  const rows = await screen.findAllByTestId("message");
  expect(markdownReady()).toBe(false);
  const words = (text: string | null | undefined) => text?.replace(/\s+/g, " ").trim();
  expect(rows.map((row) => words(row.querySelector(".message-body")?.textContent))).toEqual(["message /a", words(markdown)]);
  // Its text, not its markup: nothing in it became an element.
  expect(rows[1]!.querySelector(".message-body b, .message-body strong, .message-body a, .message-body li")).toBeNull();
  sync.close();
  outbox.close();
});
