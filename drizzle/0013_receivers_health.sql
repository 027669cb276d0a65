CREATE TABLE "sync_health_minutes" (
	"space_id" text NOT NULL,
	"minute" timestamp (0) with time zone NOT NULL,
	"reports" integer DEFAULT 0 NOT NULL,
	"counts" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"lag_p50" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"lag_p99" jsonb DEFAULT '{}'::jsonb NOT NULL,
	CONSTRAINT "sync_health_minutes_space_id_minute_pk" PRIMARY KEY("space_id","minute")
);
--> statement-breakpoint
CREATE INDEX "sync_health_minutes_minute_idx" ON "sync_health_minutes" USING btree ("minute");