/** Handing a bot or a space over to another person (POST /api/beings/:id/owner), after saying what it means. */
import { createSignal, Show } from "solid-js";
import type { Being, BeingId } from "../../shared/entities.ts";
import { handOver } from "../api.ts";
import { createFormAction, FormError } from "../components/form-action.tsx";
import { PersonPicker } from "./person-picker.tsx";

export interface HandOverProps {
  being: Being;
  meId: BeingId;
  /** What the hand-over means for me, said before it is confirmed. */
  consequence: string;
  onDone(): void;
}

/** A person picker, then the confirmation. */
export function HandOver(props: HandOverProps) {
  const [heir, setHeir] = createSignal<Being>();
  const action = createFormAction();
  const titleId = `hand-over-${props.being.id}`;
  const confirm = async (person: Being) => {
    if (await action.run(() => handOver(props.being.id, person.id, props.being.version))) props.onDone();
  };
  return (
    <section class="settings-section" aria-labelledby={titleId}>
      <h3 id={titleId}>Hand over</h3>
      <Show
        when={heir()}
        fallback={<PersonPicker label={`Hand the ${props.being.type} over to`} action="Hand over to" exclude={[props.meId]} onPick={setHeir} />}
      >
        {(person) => (
          <div class="confirm" role="group" aria-label="Confirm the hand-over">
            <p>
              Hand “{props.being.name}” over to {person().name}? They become its owner. {props.consequence}
            </p>
            <FormError action={action} />
            <button type="button" class="button danger" disabled={action.busy()} onClick={() => void confirm(person())}>
              Hand over
            </button>
            <button type="button" class="button quiet" onClick={() => setHeir(undefined)}>
              Keep it
            </button>
          </div>
        )}
      </Show>
    </section>
  );
}
