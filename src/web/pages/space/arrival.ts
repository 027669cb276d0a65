/** Arriving in a space: my being moves there, which is how the others see me come in; retried once the space is reachable again. */
import { createEffect, on, type Accessor } from "solid-js";
import type { BeingId } from "../../../shared/entities.ts";
import { enterSpace, isRetryable } from "../../api.ts";
import type { ConnectionStatus } from "../../sync/store.ts";
import { afterPaint } from "../../scheduling.ts";

/** Runs `then` whenever the space becomes reachable (live, or polling). */
export function whenReachable(connection: Accessor<ConnectionStatus>, then: () => void): void {
  createEffect(
    on(connection, (status) => {
      if (status === "connected" || status === "polling") then();
    }),
  );
}

/** Enters the space once the page has painted; a failed entry is tried again once the space is reachable. */
export function enterOnArrival(spaceId: BeingId, connection: Accessor<ConnectionStatus>): void {
  let entered = false;
  const enter = () => {
    if (entered) return;
    entered = true;
    enterSpace(spaceId).catch((error) => (entered = !isRetryable(error)));
  };
  // Once the page has painted: a request less in the task that first renders it.
  void afterPaint().then(enter);
  whenReachable(connection, enter);
}
