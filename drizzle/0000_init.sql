CREATE TABLE "beings" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"type" text NOT NULL,
	"owner_id" text,
	"location_id" text,
	"properties" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"content" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"modified_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "beings_type_check" CHECK ("beings"."type" in ('space', 'guest', 'bot', 'document'))
);
--> statement-breakpoint
CREATE TABLE "changes" (
	"space_id" text NOT NULL,
	"seq" bigint NOT NULL,
	"at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"kind" text NOT NULL,
	"op" text NOT NULL,
	"entity_id" text NOT NULL,
	"data" jsonb,
	CONSTRAINT "changes_space_id_seq_pk" PRIMARY KEY("space_id","seq")
);
--> statement-breakpoint
CREATE TABLE "intentions" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text DEFAULT '' NOT NULL,
	"type" text DEFAULT 'utterance' NOT NULL,
	"state" text DEFAULT 'complete' NOT NULL,
	"owner_id" text NOT NULL,
	"location_id" text NOT NULL,
	"content" jsonb NOT NULL,
	"seq" bigint DEFAULT 0 NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"modified_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"being_id" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "space_sync" (
	"space_id" text PRIMARY KEY NOT NULL,
	"last_seq" bigint DEFAULT 0 NOT NULL,
	"broadcast_seq" bigint DEFAULT 0 NOT NULL,
	"broadcast_at" timestamp (3) with time zone
);
--> statement-breakpoint
ALTER TABLE "beings" ADD CONSTRAINT "beings_owner_id_beings_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."beings"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "beings" ADD CONSTRAINT "beings_location_id_beings_id_fk" FOREIGN KEY ("location_id") REFERENCES "public"."beings"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "intentions" ADD CONSTRAINT "intentions_owner_id_beings_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."beings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "intentions" ADD CONSTRAINT "intentions_location_id_beings_id_fk" FOREIGN KEY ("location_id") REFERENCES "public"."beings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_being_id_beings_id_fk" FOREIGN KEY ("being_id") REFERENCES "public"."beings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "beings_location_idx" ON "beings" USING btree ("location_id");--> statement-breakpoint
CREATE INDEX "beings_owner_idx" ON "beings" USING btree ("owner_id");--> statement-breakpoint
CREATE INDEX "intentions_location_time_idx" ON "intentions" USING btree ("location_id","created_at","id");--> statement-breakpoint
CREATE INDEX "intentions_owner_idx" ON "intentions" USING btree ("owner_id");--> statement-breakpoint
CREATE INDEX "sessions_being_idx" ON "sessions" USING btree ("being_id");--> statement-breakpoint
CREATE INDEX "space_sync_lagging_idx" ON "space_sync" USING btree ("space_id") WHERE "space_sync"."last_seq" > "space_sync"."broadcast_seq";