/**
 * Turns the access facts a statement returns into the contract's errors, always in one order:
 * UNAUTHENTICATED, then NOT_FOUND, then FORBIDDEN. Each check is an assertion, so past it the row
 * is known to be there: callers need no non-null assertion.
 */
import { ApiError } from "../../../shared/errors.ts";

/** Whose request it is: `viewer_id` is null when nobody is signed in. */
export interface ViewerFacts {
  viewer_id: string | null;
}

/** What the viewer may do with the target of a request. */
export interface AccessFacts extends ViewerFacts {
  /** The target exists and the viewer may see it (otherwise 404: existence is not disclosed). */
  visible: boolean | null;
  /** The viewer may change it (owner or superuser). */
  allowed?: boolean | null;
}

/** Throws UNAUTHENTICATED unless the facts name a signed-in viewer. */
export function requireSignedIn<Facts extends ViewerFacts>(facts: Facts | undefined): asserts facts is Facts & { viewer_id: string } {
  if (!facts?.viewer_id) throw new ApiError("UNAUTHENTICATED", "sign in first");
}

/** Throws UNAUTHENTICATED, NOT_FOUND or FORBIDDEN, in that order, unless the facts permit the request. */
export function requireAccess<Facts extends AccessFacts>(
  facts: Facts | undefined,
  what: string,
): asserts facts is Facts & { viewer_id: string; visible: true } {
  requireSignedIn(facts);
  if (!facts.visible) throw new ApiError("NOT_FOUND", `${what} not found`);
  if ("allowed" in facts && !facts.allowed) {
    throw new ApiError("FORBIDDEN", `only the owner or a superuser may change this ${what}`);
  }
}

/** Throws UNAUTHENTICATED, then FORBIDDEN with `refusal`, unless the viewer is a superuser. */
export function requireSuperuser<Facts extends ViewerFacts & { su: boolean | null }>(
  facts: Facts | undefined,
  refusal: string,
): asserts facts is Facts & { viewer_id: string; su: true } {
  requireSignedIn(facts);
  if (!facts.su) throw new ApiError("FORBIDDEN", refusal);
}
