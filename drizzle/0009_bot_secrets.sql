CREATE TABLE "bot_secrets" (
	"being_id" text PRIMARY KEY NOT NULL,
	"sealed" text NOT NULL,
	"modified_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "bot_secrets" ADD CONSTRAINT "bot_secrets_being_id_beings_id_fk" FOREIGN KEY ("being_id") REFERENCES "public"."beings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- properties.bot.hasKey is the server's word, never the caller's: every write of a bot's properties
-- passes through this, with whether its sealed key exists after the write.
CREATE FUNCTION bot_properties(props jsonb, has_key boolean) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN jsonb_typeof(props -> 'bot') = 'object'
    THEN jsonb_set(props, '{bot,hasKey}', to_jsonb(coalesce(has_key, false)))
    ELSE props END
$$;
