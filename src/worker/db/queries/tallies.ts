/** Named counts kept as a jsonb object of numbers (`{"batches": 4, "calls": 3}`): the SQL that adds them up. */
import { sql, type SQL } from "drizzle-orm";

/**
 * Two tallies added name by name (a name missing from one counts 0); `{}` when both are empty. With
 * `maxNames`, names `a` already has are always kept and `b`'s new ones only while there is room.
 */
export function addTallies(a: SQL, b: SQL, maxNames?: number): SQL {
  return sql`(SELECT coalesce(jsonb_object_agg(k, coalesce((${a} ->> k)::float8, 0) + coalesce((${b} ->> k)::float8, 0)), '{}'::jsonb)
    FROM (SELECT k FROM jsonb_object_keys(${a} || ${b}) AS k ORDER BY ${a} ? k DESC LIMIT ${maxNames ?? null}) AS names)`;
}

/** The tallies of `column` summed name by name over the rows of `table` (aliased `t`) that `where` selects. */
export function sumTallies(table: string, column: string, where: SQL): SQL {
  return sql`(SELECT coalesce(jsonb_object_agg(key, total), '{}'::jsonb) FROM (
      SELECT e.key, sum(e.value::float8) AS total FROM ${sql.identifier(table)} AS t, jsonb_each_text(t.${sql.identifier(column)}) AS e
      WHERE ${where} GROUP BY e.key) AS sums)`;
}
