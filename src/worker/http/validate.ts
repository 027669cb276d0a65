/** The one way inputs are validated: a shared zod schema, failures in the contract's VALIDATION shape. */
import type { ValidationTargets } from "hono";
import { validator } from "hono/validator";
import type { output, ZodType } from "zod";
import { ApiError } from "../../shared/errors.ts";

/** The deepest nesting a JSON body may have: far beyond any valid input, well within the validators' stack. */
const MAX_JSON_DEPTH = 64;

/** Text that PostgreSQL can store (no NUL, no unpaired surrogate: text and jsonb refuse both). */
const storable = (text: string) => !text.includes("\u0000") && text.isWellFormed();

/** Why a parsed JSON body cannot be accepted whatever its schema, or undefined. Iterative: any depth is safe to scan. */
function unacceptable(value: unknown): string | undefined {
  const pending: [unknown, number][] = [[value, 1]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [item, depth] = next;
    if (typeof item === "string" && !storable(item)) return "text must not contain NUL characters or unpaired surrogates";
    if (typeof item !== "object" || item === null) continue;
    if (depth > MAX_JSON_DEPTH) return `the body nests deeper than ${MAX_JSON_DEPTH} levels`;
    for (const [key, child] of Object.entries(item)) {
      if (!storable(key)) return "keys must not contain NUL characters or unpaired surrogates";
      pending.push([child, depth + 1]);
    }
  }
  return undefined;
}

/** Hono validator middleware for `target`, parsing with `schema` (from src/shared/schemas.ts). */
export function valid<Target extends keyof ValidationTargets, Schema extends ZodType>(target: Target, schema: Schema) {
  return validator(target, (value, c): output<Schema> => {
    if (target === "json" && !/^application\/json\b/i.test(c.req.header("Content-Type") ?? "")) {
      throw new ApiError("VALIDATION", "send a JSON body with Content-Type: application/json");
    }
    const problem = target === "json" ? unacceptable(value) : undefined;
    if (problem) throw new ApiError("VALIDATION", problem);
    const result = schema.safeParse(value);
    if (!result.success) {
      const details = result.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message }));
      const first = details[0]!;
      throw new ApiError("VALIDATION", first.path ? `${first.path}: ${first.message}` : first.message, details);
    }
    return result.data;
  });
}
