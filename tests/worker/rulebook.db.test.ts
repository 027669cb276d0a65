// The rulebook (src/worker/db/rulebook.sql) is the whole truth about the database's functions: the
// migrated database holds exactly its definitions, no function it lacks and no older version of one.
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import rulebook from "../../src/worker/db/rulebook.sql?raw";
import { db } from "./client.ts";

interface Definition {
  name: string;
  args: string;
  body: string;
}

const FUNCTION = /CREATE OR REPLACE FUNCTION (\w+)\(([^)]*)\)[^$]*?AS \$\$([\s\S]*?)\$\$;/g;

const written: Definition[] = [...rulebook.matchAll(FUNCTION)].map(([, name, args, body]) => ({ name: name!, args: args!, body: body! }));

const byName = (a: Definition, b: Definition) => a.name.localeCompare(b.name);

describe("the rulebook", () => {
  it("holds nothing but CREATE OR REPLACE FUNCTION statements, so applying it again changes nothing", () => {
    expect(written.length).toBeGreaterThan(20);
    const rest = rulebook.replace(FUNCTION, "").replace(/--.*$/gm, "");
    expect(rest.trim()).toBe("");
  });

  it("defines every function of the database's public schema, exactly as the database holds it", async () => {
    const live = await db<Definition>(
      sql`SELECT p.proname AS name, pg_get_function_arguments(p.oid) AS args, p.prosrc AS body
          FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
          WHERE n.nspname = 'public'
            AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')`,
    );
    expect(live.sort(byName)).toEqual(written.sort(byName));
  });

  it("decides whether a space is private in one function, which every other rule asks", async () => {
    const deciders = await db<{ name: string }>(
      sql`SELECT p.proname AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
          WHERE n.nspname = 'public' AND p.prosrc LIKE '%''private''%' ORDER BY 1`,
    );
    expect(deciders.map((row) => row.name)).toEqual(["is_private_space"]);
    const askers = await db<{ name: string }>(
      sql`SELECT p.proname AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
          WHERE n.nspname = 'public' AND p.prosrc LIKE '%is_private_space(%' ORDER BY 1`,
    );
    expect(askers.map((row) => row.name)).toEqual(["change_data_in", "may_read_space", "shows_in_location"]);
  });
});
