/** Rows arrive as the JSON that being_json()/intention_json() render; these restore their Dates. */
import type { Being, Intention } from "../../shared/entities.ts";
import type { Change } from "../../shared/sync.ts";

type Json = Record<string, unknown>;

/** A being as the database rendered it, with Date fields restored. */
export function toBeing(json: unknown): Being {
  const row = json as Json;
  return { ...row, createdAt: new Date(row.createdAt as string), modifiedAt: new Date(row.modifiedAt as string) } as Being;
}

/** An intention as the database rendered it, with Date fields restored. */
export function toIntention(json: unknown): Intention {
  const row = json as Json;
  return { ...row, createdAt: new Date(row.createdAt as string), modifiedAt: new Date(row.modifiedAt as string) } as Intention;
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
  const base = { seq: Number(row.seq), at: new Date(row.at), kind: row.kind, op: row.op, id: row.entity_id };
  if (row.op === "delete") return base as Change;
  const data = row.kind === "being" ? toBeing(row.data) : toIntention(row.data);
  return { ...base, data } as Change;
}
