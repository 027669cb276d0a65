/** The one way inputs are validated: a shared zod schema, failures in the contract's VALIDATION shape. */
import type { ValidationTargets } from "hono";
import { validator } from "hono/validator";
import type { output, ZodType } from "zod";
import { ApiError } from "../../shared/errors.ts";

/** Hono validator middleware for `target`, parsing with `schema` (from src/shared/schemas.ts). */
export function valid<Target extends keyof ValidationTargets, Schema extends ZodType>(target: Target, schema: Schema) {
  return validator(target, (value, c): output<Schema> => {
    if (target === "json" && !/^application\/json\b/i.test(c.req.header("Content-Type") ?? "")) {
      throw new ApiError("VALIDATION", "send a JSON body with Content-Type: application/json");
    }
    const result = schema.safeParse(value);
    if (!result.success) {
      const details = result.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message }));
      const first = details[0]!;
      throw new ApiError("VALIDATION", first.path ? `${first.path}: ${first.message}` : first.message, details);
    }
    return result.data;
  });
}
