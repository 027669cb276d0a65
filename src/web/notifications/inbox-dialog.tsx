/** The inbox: my notifications, newest first; choosing one opens its message and marks it read. Fetched when first opened. */
import { createSignal, For, onMount, Show } from "solid-js";
import { NOTIFICATION_DEEDS } from "../../shared/entities.ts";
import type { InboxItem } from "../../shared/responses.ts";
import { call, client } from "../api.ts";
import { fullTime, shortTime } from "../components/time.ts";
import { Modal } from "../manage/modal.tsx";
import { navigateToMessage } from "../router.ts";
import { setInboxUnread } from "./count.ts";

const PAGE_SIZE = 20;

/** GET /api/notifications: a page before `before`. */
const fetchPage = (before?: number) =>
  call(() => client.api.notifications.$get({ query: { limit: String(PAGE_SIZE), ...(before ? { before: String(before) } : {}) } }));

/** POST /api/notifications/read: these, or all; answers the unread count after. */
const markRead = async (ids?: number[]) => (await call(() => client.api.notifications.read.$post({ json: ids ? { ids } : {} }))).unread;

/** The dialog, open while rendered. */
export function InboxDialog(props: { onClose(): void }) {
  const [items, setItems] = createSignal<InboxItem[]>([]);
  const [next, setNext] = createSignal<number | null>(null);
  const [state, setState] = createSignal<"loading" | "ready" | "failed">("loading");

  const load = async (before?: number) => {
    setState("loading");
    try {
      const page = await fetchPage(before);
      setItems((shown) => [...shown, ...page.notifications]);
      setNext(page.next);
      setInboxUnread(page.unread);
      setState("ready");
    } catch {
      setState("failed");
    }
  };
  onMount(() => void load());

  const open = (item: InboxItem) => {
    if (!item.read) void markRead([item.id]).then(setInboxUnread, () => undefined);
    props.onClose();
    navigateToMessage(item.space.id, item.intention);
  };
  const readAll = async () => {
    try {
      setInboxUnread(await markRead());
      setItems((shown) => shown.map((item) => ({ ...item, read: true })));
    } catch {
      setState("failed");
    }
  };

  return (
    <Modal titleId="inbox-title" title="Inbox" onClose={props.onClose} class="inbox">
      <Show when={items().some((item) => !item.read)}>
        <button type="button" class="button small quiet inbox-read-all" onClick={() => void readAll()}>
          Mark all read
        </button>
      </Show>
      <Show when={state() !== "loading" && items().length === 0}>
        <p class="page-note">{state() === "failed" ? "Could not load notifications." : "Nothing yet: mentions, replies to you and bots' answers show here."}</p>
      </Show>
      <ul class="inbox-list">
        <For each={items()}>
          {(item) => (
            <li>
              <button type="button" class="inbox-item" classList={{ unread: !item.read }} onClick={() => open(item)}>
                <span class="inbox-what">
                  <Show when={!item.read}>
                    <span class="sr-only">Unread: </span>
                  </Show>
                  <strong>{item.author.name ?? "Someone"}</strong> {NOTIFICATION_DEEDS[item.kind]} in <strong>{item.space.name}</strong>
                  <time class="inbox-time" datetime={item.at.toISOString()} title={fullTime(item.at)}>
                    {shortTime(item.at)}
                  </time>
                </span>
                <span class="inbox-snippet">{item.snippet}</span>
              </button>
            </li>
          )}
        </For>
      </ul>
      <Show when={state() === "loading"}>
        <p class="page-note" role="status">Loading…</p>
      </Show>
      <Show when={state() === "failed" && items().length > 0}>
        <p class="page-note" role="status">Could not load more.</p>
      </Show>
      <Show when={state() !== "loading" && next()}>
        {(before) => (
          <button type="button" class="button small quiet" onClick={() => void load(before())}>
            Show older
          </button>
        )}
      </Show>
    </Modal>
  );
}
