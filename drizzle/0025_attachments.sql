CREATE TABLE "attachment_garbage" (
	"attachment_id" text PRIMARY KEY NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "attachment_usage" (
	"day" date NOT NULL,
	"being_id" text NOT NULL,
	"bytes" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "attachment_usage_day_being_id_pk" PRIMARY KEY("day","being_id")
);
--> statement-breakpoint
CREATE TABLE "attachments" (
	"id" text PRIMARY KEY NOT NULL,
	"space_id" text NOT NULL,
	"owner_id" text NOT NULL,
	"intention_id" text,
	"name" text NOT NULL,
	"type" text DEFAULT 'application/octet-stream' NOT NULL,
	"size" bigint NOT NULL,
	"width" integer,
	"height" integer,
	"preview_width" integer,
	"preview_height" integer,
	"state" text DEFAULT 'uploading' NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "attachments_state_check" CHECK ("attachments"."state" in ('uploading', 'ready'))
);
--> statement-breakpoint
ALTER TABLE "intentions" ADD COLUMN "attachments" jsonb;--> statement-breakpoint
ALTER TABLE "attachments" ADD CONSTRAINT "attachments_space_id_beings_id_fk" FOREIGN KEY ("space_id") REFERENCES "public"."beings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attachments" ADD CONSTRAINT "attachments_owner_id_beings_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."beings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attachments" ADD CONSTRAINT "attachments_intention_id_intentions_id_fk" FOREIGN KEY ("intention_id") REFERENCES "public"."intentions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "attachments_intention_idx" ON "attachments" USING btree ("intention_id");--> statement-breakpoint
CREATE INDEX "attachments_owner_idx" ON "attachments" USING btree ("owner_id");--> statement-breakpoint
CREATE INDEX "attachments_space_idx" ON "attachments" USING btree ("space_id");--> statement-breakpoint
CREATE INDEX "attachments_unattached_idx" ON "attachments" USING btree ("created_at") WHERE "attachments"."intention_id" IS NULL;--> statement-breakpoint
-- A deleted attachment's R2 objects are recorded for deletion, whichever path deleted its row (the function's
-- current text is in src/worker/db/rulebook.sql, applied after the migrations).
CREATE FUNCTION attachments_to_garbage() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER attachments_to_garbage AFTER DELETE ON attachments FOR EACH ROW EXECUTE FUNCTION attachments_to_garbage();
