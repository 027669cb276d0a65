/** One button per configured sign-in provider; none when the server has none. Clicking leaves for the provider. */
import { createResource, For, Show } from "solid-js";
import * as api from "../api.ts";
import type { FormAction } from "../components/form-action.tsx";

/**
 * `attach`: link the account to the signed-in being ("Save this identity") rather than sign in with it.
 * Failures to begin show in `action`'s error; the provider's own answer comes back as ?signin_error=.
 */
export function ProviderButtons(props: { attach: boolean; action: FormAction; verb: string }) {
  // No providers is the same as a list that could not be loaded: the page works without them.
  const [providers] = createResource(() => api.untilLoaded(api.listProviders).catch(() => []));
  const go = (id: string) =>
    props.action.run(async () => {
      // A top-level navigation, so the provider's page is not subject to this page's CSP.
      location.assign(await api.startProviderSignIn(id, props.attach));
    });
  return (
    <Show when={(providers() ?? []).length > 0}>
      <div class="provider-buttons">
        <For each={providers()}>
          {(provider) => (
            <button type="button" class="button wide" disabled={props.action.busy()} onClick={() => void go(provider.id)}>
              {props.verb} {provider.name}
            </button>
          )}
        </For>
      </div>
    </Show>
  );
}
