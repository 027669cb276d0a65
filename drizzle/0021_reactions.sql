CREATE TABLE "reactions" (
	"intention_id" text NOT NULL,
	"being_id" text NOT NULL,
	"emoji" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "reactions_intention_id_being_id_emoji_pk" PRIMARY KEY("intention_id","being_id","emoji")
);
--> statement-breakpoint
ALTER TABLE "reactions" ADD CONSTRAINT "reactions_intention_id_intentions_id_fk" FOREIGN KEY ("intention_id") REFERENCES "public"."intentions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reactions" ADD CONSTRAINT "reactions_being_id_beings_id_fk" FOREIGN KEY ("being_id") REFERENCES "public"."beings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "reactions_being_idx" ON "reactions" USING btree ("being_id");--> statement-breakpoint
-- Each reaction added or removed records one change of its message (the function's current text is in
-- src/worker/db/rulebook.sql, applied after the migrations).
CREATE FUNCTION reactions_record_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER reactions_record_change AFTER INSERT OR DELETE ON reactions FOR EACH ROW EXECUTE FUNCTION reactions_record_change();
