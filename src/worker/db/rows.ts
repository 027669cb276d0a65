/** Rows arrive as the JSON that being_json()/intention_json() render; these restore their Dates (src/shared/dates.ts). */
import { decodeDates } from "../../shared/dates.ts";
import type { Being, Intention } from "../../shared/entities.ts";
import type { Change } from "../../shared/sync.ts";

/** A being as the database rendered it, with Date fields restored. */
export function toBeing(json: unknown): Being {
  return decodeDates(json) as Being;
}

/** An intention as the database rendered it, with Date fields restored. */
export function toIntention(json: unknown): Intention {
  return decodeDates(json) as Intention;
}

export interface ChangeRow {
  seq: number | string;
  at: string | Date;
  kind: "being" | "intention";
  op: "upsert" | "delete";
  entity_id: string;
  data: unknown;
}

/** A row of the changes table as the contract's Change. */
export function toChange(row: ChangeRow): Change {
  const change = { seq: Number(row.seq), at: row.at, kind: row.kind, op: row.op, id: row.entity_id };
  return decodeDates(row.op === "delete" ? change : { ...change, data: row.data }) as Change;
}
