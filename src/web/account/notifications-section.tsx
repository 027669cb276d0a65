/** The account page's "Notifications on this device": Web Push opt-in for this device, and which kinds it gets. */
import { createResource, For, Match, Show, Switch } from "solid-js";
import { NOTIFICATION_KINDS, type NotificationKind } from "../../shared/entities.ts";
import { createFormAction, FormError } from "../components/form-action.tsx";
import { pushState, setPushKinds, subscribeThisDevice, unsubscribeThisDevice, type PushState } from "./push.ts";

const KIND_LABELS: Record<NotificationKind, string> = {
  mention: "Mentions of me",
  reply: "Replies to my messages",
  bot_reply: "Bots' answers to me",
};

/** The section: a switch for this device, then its kinds; or why this device cannot have notifications. */
export function NotificationsSection() {
  const [state, { mutate }] = createResource<PushState>(() => pushState().catch(() => ({ kind: "unsupported" }) as const));
  const action = createFormAction();
  const subscribed = () => {
    const current = state();
    return current?.kind === "subscribed" ? current : undefined;
  };
  const toggle = (on: boolean) => {
    const current = state();
    if (!current || (current.kind !== "available" && current.kind !== "subscribed")) return;
    void action.run(async () => mutate(await (on ? subscribeThisDevice(current.publicKey) : unsubscribeThisDevice(current.publicKey))));
  };
  const setKind = (kind: NotificationKind, on: boolean) => {
    const current = subscribed();
    if (!current) return;
    const kinds = NOTIFICATION_KINDS.filter((k) => (k === kind ? on : current.kinds.includes(k)));
    void action.run(async () => mutate({ ...current, kinds: await setPushKinds(kinds) }));
  };

  return (
    <section aria-labelledby="notifications-heading" class="account-section">
      <h2 id="notifications-heading">Notifications</h2>
      <Switch fallback={<p class="account-detail">Loading…</p>}>
        <Match when={state()?.kind === "unsupported"}>
          <p class="account-detail">This browser cannot show notifications from Spaces while it is closed (install the app, or use a browser with Web Push).</p>
        </Match>
        <Match when={state()?.kind === "off-on-server"}>
          <p class="account-detail">This server does not send notifications.</p>
        </Match>
        <Match when={state()?.kind === "denied"}>
          <p class="account-detail" role="status">
            Notifications are blocked for this site. Allow them in your browser's site settings, then reload this page.
          </p>
        </Match>
        <Match when={state()?.kind === "available" || state()?.kind === "subscribed"}>
          <label class="account-check">
            <input type="checkbox" checked={subscribed() !== undefined} disabled={action.busy()} onChange={(event) => toggle(event.currentTarget.checked)} />
            Notifications on this device
          </label>
          <p class="account-detail">Mentions, replies and bots' answers reach this device while Spaces is closed; never from a space you muted or have open.</p>
          <Show when={subscribed()}>
            {(device) => (
              <fieldset class="account-kinds" disabled={action.busy()}>
                <legend>Send me</legend>
                <For each={NOTIFICATION_KINDS}>
                  {(kind) => (
                    <label class="account-check">
                      <input type="checkbox" checked={device().kinds.includes(kind)} onChange={(event) => setKind(kind, event.currentTarget.checked)} />
                      {KIND_LABELS[kind]}
                    </label>
                  )}
                </For>
              </fieldset>
            )}
          </Show>
        </Match>
      </Switch>
      <FormError action={action} />
    </section>
  );
}
