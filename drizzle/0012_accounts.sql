CREATE TABLE "auth_challenges" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"being_id" text,
	"data" jsonb,
	"expires_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "identities" (
	"provider" text NOT NULL,
	"subject" text NOT NULL,
	"being_id" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "identities_provider_subject_pk" PRIMARY KEY("provider","subject")
);
--> statement-breakpoint
CREATE TABLE "passkeys" (
	"id" text PRIMARY KEY NOT NULL,
	"being_id" text NOT NULL,
	"public_key" text NOT NULL,
	"counter" bigint DEFAULT 0 NOT NULL,
	"transports" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"label" text DEFAULT '' NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp (3) with time zone
);
--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "public_id" uuid DEFAULT gen_random_uuid() NOT NULL;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "user_agent" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "last_used_at" timestamp (3) with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "auth_challenges" ADD CONSTRAINT "auth_challenges_being_id_beings_id_fk" FOREIGN KEY ("being_id") REFERENCES "public"."beings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "identities" ADD CONSTRAINT "identities_being_id_beings_id_fk" FOREIGN KEY ("being_id") REFERENCES "public"."beings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "passkeys" ADD CONSTRAINT "passkeys_being_id_beings_id_fk" FOREIGN KEY ("being_id") REFERENCES "public"."beings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "auth_challenges_expires_idx" ON "auth_challenges" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "identities_being_idx" ON "identities" USING btree ("being_id");--> statement-breakpoint
CREATE INDEX "passkeys_being_idx" ON "passkeys" USING btree ("being_id");--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_public_id_unique" UNIQUE("public_id");--> statement-breakpoint
-- At least one way in must remain: once a being has a passkey or a provider identity, removing the last
-- of them is refused (SQLSTATE SPW01), so the person cannot lock themselves out when their sessions end.
-- The being's row is locked first, so two removals at once cannot each see the other's row still there.
-- A cascade from deleting the being itself passes: its row is already gone.
CREATE FUNCTION keep_a_way_in() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM beings WHERE id = OLD.being_id FOR UPDATE;
  IF FOUND AND (SELECT count(*) FROM passkeys WHERE being_id = OLD.being_id)
             + (SELECT count(*) FROM identities WHERE being_id = OLD.being_id) <= 1 THEN
    RAISE EXCEPTION 'at least one way in must remain' USING ERRCODE = 'SPW01';
  END IF;
  RETURN OLD;
END $$;
--> statement-breakpoint
CREATE TRIGGER passkeys_keep_a_way_in BEFORE DELETE ON passkeys FOR EACH ROW EXECUTE FUNCTION keep_a_way_in();
--> statement-breakpoint
CREATE TRIGGER identities_keep_a_way_in BEFORE DELETE ON identities FOR EACH ROW EXECUTE FUNCTION keep_a_way_in();
