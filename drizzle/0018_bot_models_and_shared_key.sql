CREATE TABLE "bot_model_lists" (
	"base_url" text NOT NULL,
	"key_identity" text NOT NULL,
	"models" jsonb NOT NULL,
	"fetched_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "bot_model_lists_base_url_key_identity_pk" PRIMARY KEY("base_url","key_identity")
);
--> statement-breakpoint
CREATE TABLE "shared_key_usage" (
	"day" date NOT NULL,
	"being_id" text NOT NULL,
	"tokens" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "shared_key_usage_day_being_id_pk" PRIMARY KEY("day","being_id")
);
