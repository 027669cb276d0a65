/** The app's top level: who is signed in decides between the sign-in page and the spaces. */
import { createSignal, Match, onCleanup, Show, Switch, type Component } from "solid-js";
import { LOBBY_ID, type Being } from "../shared/entities.ts";
import { SignInPage } from "./pages/sign-in-page.tsx";
import { SpacePage } from "./pages/space-page.tsx";
import { firstScreenPainted } from "./first-screen.ts";
import { currentSpace, navigate, onAccountPage, onOperationsPage, spaceInPath } from "./router.ts";
import { me } from "./session.ts";
import { createOutbox } from "./sync/outbox.ts";

/**
 * A page fetched when first opened (the operator's, the account page): few open them, so their code stays
 * out of the start chunk. (Solid's lazy() with Suspense would do the same, but adds about 0.6 kB gzip to that chunk.)
 */
function LazyPage(props: { load: () => Promise<Component> }) {
  const [page, setPage] = createSignal<Component>();
  const [failed, setFailed] = createSignal(false);
  props.load().then(
    (loaded) => {
      setPage(() => loaded);
      firstScreenPainted();
    },
    () => setFailed(true),
  );
  return (
    <Show when={page()} fallback={<p class="page-note" role="status">{failed() ? "The page could not be loaded: reload to try again." : "Loading…"}</p>}>
      {(page) => {
        const Page = page();
        return <Page />;
      }}
    </Show>
  );
}

/** Everything a signed-in being sees; its outbox lives as long as the session. */
function SignedIn(props: { me: Being }) {
  // One queue per being, so a second guest in the same browser never sends the first one's words.
  const outbox = createOutbox({ storageKey: `spaces:outbox:${props.me.id}` });
  onCleanup(() => outbox.close());
  // Signing in at "/" lands in the lobby; say so in the address bar, so the link can be shared.
  if (!spaceInPath(location.pathname) && !onOperationsPage() && !onAccountPage()) navigate(LOBBY_ID, true);
  return (
    <Switch
      fallback={
        <Show when={currentSpace()} keyed>
          {(spaceId) => <SpacePage spaceId={spaceId} me={props.me} outbox={outbox} />}
        </Show>
      }
    >
      <Match when={onOperationsPage()}>
        <LazyPage load={() => import("./pages/operations-page.tsx").then((module) => module.OperationsPage)} />
      </Match>
      <Match when={onAccountPage()}>
        <LazyPage load={() => import("./pages/account-page.tsx").then((module) => () => module.AccountPage({ get me() { return props.me; } }))} />
      </Match>
    </Switch>
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
