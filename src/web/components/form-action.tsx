/** The one way a form runs its action: busy while it runs, its failure shown as a message. */
import { createSignal, Show, type Accessor } from "solid-js";
import { errorMessage } from "../../shared/errors.ts";

export interface FormAction {
  busy: Accessor<boolean>;
  error: Accessor<string | undefined>;
  setError(message: string | undefined): void;
  /** Runs `work` unless already busy; a throw becomes `error()`. Resolves true when it succeeded. */
  run(work: () => Promise<unknown>): Promise<boolean>;
}

export function createFormAction(): FormAction {
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string>();
  return {
    busy,
    error,
    setError,
    async run(work) {
      if (busy()) return false;
      setBusy(true);
      setError(undefined);
      try {
        await work();
        return true;
      } catch (failure) {
        setError(errorMessage(failure));
        return false;
      } finally {
        setBusy(false);
      }
    },
  };
}

/** The action's failure, announced where the form shows it. */
export function FormError(props: { action: FormAction }) {
  return (
    <Show when={props.action.error()}>
      <p class="form-error" role="alert">
        {props.action.error()}
      </p>
    </Show>
  );
}
