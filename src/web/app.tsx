/** The app's top level: who is signed in decides between the sign-in page and the spaces. */
import { Match, onCleanup, Show, Switch } from "solid-js";
import { LOBBY_ID, type Being } from "../shared/entities.ts";
import { SignInPage } from "./pages/sign-in-page.tsx";
import { SpacePage } from "./pages/space-page.tsx";
import { currentSpace, navigate, spaceInPath } from "./router.ts";
import { me } from "./session.ts";
import { createOutbox } from "./sync/outbox.ts";

/** Everything a signed-in being sees; its outbox lives as long as the session. */
function SignedIn(props: { me: Being }) {
  // One queue per being, so a second guest in the same browser never sends the first one's words.
  const outbox = createOutbox({ storageKey: `spaces:outbox:${props.me.id}` });
  onCleanup(() => outbox.close());
  // Signing in at "/" lands in the lobby; say so in the address bar, so the link can be shared.
  if (!spaceInPath(location.pathname)) navigate(LOBBY_ID, true);
  return (
    <Show when={currentSpace()} keyed>
      {(spaceId) => <SpacePage spaceId={spaceId} me={props.me} outbox={outbox} />}
    </Show>
  );
}

/** The root component. */
export function App() {
  return (
    <Switch>
      <Match when={me() === undefined}>
        <p class="page-note" role="status">
          Connecting…
        </p>
      </Match>
      <Match when={me() === null}>
        <SignInPage />
      </Match>
      <Match when={me()?.id} keyed>
        {(_id) => <SignedIn me={me() as Being} />}
      </Match>
    </Switch>
  );
}
