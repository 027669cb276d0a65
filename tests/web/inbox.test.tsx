// The inbox button and the inbox: the count comes from the server and refreshes when a change concerns me; the dialog
// lists notifications as text (never markup), and choosing one marks it read and opens its message.
import "@testing-library/jest-dom/vitest";
import { cleanup, fireEvent, render, screen, waitFor } from "@solidjs/testing-library";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { BeingId, Intention, IntentionId } from "../../src/shared/entities.ts";
import type { Change } from "../../src/shared/sync.ts";
import { InboxButton } from "../../src/web/notifications/inbox-button.tsx";
import { noticeChanges, refreshInboxUnread } from "../../src/web/notifications/count.ts";
import { currentSpace, go, messageInLocation } from "../../src/web/router.ts";
import { polyfillModalDialog } from "./support/dialog.ts";
import { fakeServer, json } from "./support/fake-server.ts";

const item = (id: number, read: boolean) => ({
  id,
  kind: "mention",
  at: new Date(Date.UTC(2026, 0, 2, 3, 4)).toISOString(),
  read,
  intention: `/m${id}`,
  space: { id: "@studio", name: "Studio <b>bold</b>" },
  author: { id: "@ada", name: "Ada" },
  snippet: `<img src=x onerror=alert(${id})> hi @Me`,
});

beforeAll(polyfillModalDialog);

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

const upsert = (data: Partial<Intention>): Change =>
  ({ seq: 1, at: new Date(), kind: "intention", op: "upsert", id: data.id!, data: { state: "complete", content: [], ownerId: "@ada", ...data } }) as Change;

describe("the inbox", () => {
  it("shows the unread count, lists notifications as text, and opening one marks it read and goes to the message", async () => {
    let unread = 2;
    const server = fakeServer({
      "GET /api/notifications": () => json({ notifications: [item(2, false), item(1, true)], unread, next: null }),
      "POST /api/notifications/read": () => json({ unread: --unread }),
    });
    go("/@lobby", true);
    render(() => <InboxButton />);
    const bell = await screen.findByRole("button", { name: "Inbox, 2 unread" });
    fireEvent.click(bell);
    const dialog = await screen.findByRole("dialog", { name: "Inbox" });
    const [entry, older] = await screen.findAllByRole("button", { name: /Ada\s*mentioned you in\s*Studio <b>bold<\/b>/ });
    expect(entry).toHaveTextContent(/^Unread:/);
    expect(older).not.toHaveTextContent(/Unread/);
    expect(dialog.querySelector("img, b")).toBeNull();
    expect(entry).toHaveTextContent("<img src=x onerror=alert(2)> hi @Me");
    fireEvent.click(entry);
    await waitFor(() => expect(server.callsTo("POST /api/notifications/read")[0]?.body).toEqual({ ids: [2] }));
    expect(currentSpace()).toBe("@studio");
    expect(messageInLocation()).toBe("/m2");
    await screen.findByRole("button", { name: "Inbox, 1 unread" });
  });

  it("fetches the count again soon after a change that mentions me, replies to me or is a bot's answer to me; not for others", async () => {
    const server = fakeServer({ "GET /api/notifications": () => json({ notifications: [], unread: 0, next: null }) });
    render(() => <InboxButton />);
    await refreshInboxUnread();
    await screen.findByRole("button", { name: "Inbox" });
    const fetches = () => server.callsTo("GET /api/notifications").length;
    const before = fetches();
    const me = "@me" as BeingId;
    const mine = { intentions: { ["/mine" as IntentionId]: { ownerId: me } } } as never;
    noticeChanges([upsert({ id: "/a" as IntentionId, content: ["nothing for me"] })], me, mine);
    noticeChanges([upsert({ id: "/b" as IntentionId, content: [{ type: "mention", props: { id: me }, content: ["@Me"] }], state: "active" })], me, mine);
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(fetches()).toBe(before);
    for (const change of [
      upsert({ id: "/c" as IntentionId, content: [{ type: "mention", props: { id: me }, content: ["@Me"] }] }),
      upsert({ id: "/d" as IntentionId, content: [{ type: "reply", props: { to: "/mine" } }, "yes"] }),
      upsert({ id: "/e" as IntentionId, askerId: me, ownerId: "@bot" as BeingId }),
    ]) {
      const count = fetches();
      noticeChanges([change], me, mine);
      await waitFor(() => expect(fetches()).toBe(count + 1));
    }
  });
});
