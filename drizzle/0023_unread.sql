CREATE TABLE "personal_notices" (
	"being_id" text NOT NULL,
	"kind" text NOT NULL,
	"sent_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "personal_notices_being_id_kind_pk" PRIMARY KEY("being_id","kind")
);
--> statement-breakpoint
ALTER TABLE "intentions" ADD COLUMN "created_seq" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "personal_notices" ADD CONSTRAINT "personal_notices_being_id_beings_id_fk" FOREIGN KEY ("being_id") REFERENCES "public"."beings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "intentions_location_created_seq_idx" ON "intentions" USING btree ("location_id","created_seq","owner_id");--> statement-breakpoint
CREATE INDEX "room_participants_being_idx" ON "room_participants" USING btree (split_part("identity", '#', 1)) WHERE "room_participants"."present";