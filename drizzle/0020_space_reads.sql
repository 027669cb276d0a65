CREATE TABLE "space_reads" (
	"being_id" text NOT NULL,
	"space_id" text NOT NULL,
	"read_seq" bigint DEFAULT 0 NOT NULL,
	"muted" boolean DEFAULT false NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"modified_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "space_reads_being_id_space_id_pk" PRIMARY KEY("being_id","space_id")
);
--> statement-breakpoint
ALTER TABLE "space_reads" ADD CONSTRAINT "space_reads_being_id_beings_id_fk" FOREIGN KEY ("being_id") REFERENCES "public"."beings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "space_reads" ADD CONSTRAINT "space_reads_space_id_beings_id_fk" FOREIGN KEY ("space_id") REFERENCES "public"."beings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "space_reads_space_idx" ON "space_reads" USING btree ("space_id");