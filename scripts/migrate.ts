// npm run db:migrate: brings the database at DATABASE_URL up to date (migrations, then the rulebook).
import { applyMigrations } from "./local/migrate.ts";

const url = process.env.DATABASE_URL;
if (!url) {
  console.error("db:migrate: set DATABASE_URL to the database to migrate");
  process.exit(1);
}
await applyMigrations(url);
console.log("db:migrate: migrations and rulebook applied");
