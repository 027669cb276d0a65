CREATE TABLE "publish_revocations" (
	"space_id" text NOT NULL,
	"being_id" text NOT NULL,
	"identity" text NOT NULL,
	"revoked_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"until" timestamp (3) with time zone NOT NULL,
	"applied" boolean DEFAULT false NOT NULL,
	CONSTRAINT "publish_revocations_space_id_being_id_pk" PRIMARY KEY("space_id","being_id")
);
--> statement-breakpoint
CREATE INDEX "publish_revocations_until_idx" ON "publish_revocations" USING btree ("until");