/** Turns the access facts a statement returns into the contract's errors, in one order everywhere. */
import { ApiError } from "../../../shared/errors.ts";

export interface AccessFacts {
  viewer_id: string | null;
  /** The target exists and the viewer may see it (otherwise 404: existence is not disclosed). */
  visible: boolean | null;
  /** The viewer may change it (owner or superuser). */
  allowed?: boolean | null;
}

/** Throws UNAUTHENTICATED, NOT_FOUND or FORBIDDEN, in that order, unless the facts permit the request. */
export function requireAccess(facts: AccessFacts | undefined, what: string, options: { signedIn: boolean }): void {
  if (options.signedIn && !facts?.viewer_id) throw new ApiError("UNAUTHENTICATED", "sign in first");
  if (!facts?.visible) throw new ApiError("NOT_FOUND", `${what} not found`);
  if ("allowed" in facts && !facts.allowed) {
    throw new ApiError("FORBIDDEN", `only the owner or a superuser may change this ${what}`);
  }
}
