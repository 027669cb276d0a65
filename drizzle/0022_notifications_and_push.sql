CREATE TABLE "notifications" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "notifications_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"being_id" text NOT NULL,
	"intention_id" text NOT NULL,
	"space_id" text NOT NULL,
	"kind" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"read_at" timestamp (3) with time zone,
	"pushed_at" timestamp (3) with time zone,
	CONSTRAINT "notifications_once" UNIQUE("being_id","intention_id","kind"),
	CONSTRAINT "notifications_kind_check" CHECK ("notifications"."kind" in ('mention', 'reply', 'bot_reply'))
);
--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_being_id_beings_id_fk" FOREIGN KEY ("being_id") REFERENCES "public"."beings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_intention_id_intentions_id_fk" FOREIGN KEY ("intention_id") REFERENCES "public"."intentions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_space_id_beings_id_fk" FOREIGN KEY ("space_id") REFERENCES "public"."beings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "notifications_being_idx" ON "notifications" USING btree ("being_id","id");--> statement-breakpoint
CREATE INDEX "notifications_unread_idx" ON "notifications" USING btree ("being_id") WHERE "notifications"."read_at" IS NULL;--> statement-breakpoint
CREATE INDEX "notifications_unpushed_idx" ON "notifications" USING btree ("space_id") WHERE "notifications"."pushed_at" IS NULL;--> statement-breakpoint
-- is_superuser() is the rulebook's (applied after the migrations): not checked until the rulebook has run.
SET LOCAL check_function_bodies = off;--> statement-breakpoint
-- Whom a message notifies, and of what: the beings it mentions ('mention'), the author of the message it
-- replies to ('reply'), and whom a bot's reply answers ('bot_reply', asker_id). Only a finished message
-- (state complete) notifies, so a bot's reply does not at every word it streams; never its own author;
-- only a person who may read its space. Superusers count by their properties only: SUPERUSER_IDS is
-- configuration the database does not see.
CREATE OR REPLACE FUNCTION notification_recipients(i intentions) RETURNS TABLE (being_id text, kind text) LANGUAGE sql STABLE AS $$
  SELECT r.being_id, r.kind
  FROM (
    SELECT unnest(i.mentions) AS being_id, 'mention' AS kind
    UNION SELECT o.owner_id, 'reply' FROM intentions o WHERE o.id = i.reply_to
    UNION SELECT i.asker_id, 'bot_reply' WHERE i.asker_id IS NOT NULL
  ) AS r
  JOIN beings b ON b.id = r.being_id AND b.type = 'guest'
  JOIN beings s ON s.id = i.location_id
  WHERE i.state = 'complete' AND r.being_id <> i.owner_id AND may_read_space(s, b.id, is_superuser(b, '[]'::jsonb))
$$;
--> statement-breakpoint
-- The trigger on intentions (drizzle/0022): a write that makes a message notify someone writes the
-- notification with it, once per being, message and kind (an edit adding a mention notifies only the new one).
CREATE OR REPLACE FUNCTION intentions_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO notifications (being_id, intention_id, space_id, kind)
  SELECT r.being_id, NEW.id, NEW.location_id, r.kind FROM notification_recipients(NEW) AS r
  ON CONFLICT ON CONSTRAINT notifications_once DO NOTHING;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER intentions_notify AFTER INSERT OR UPDATE OF content, state ON intentions
FOR EACH ROW WHEN (NEW.state = 'complete') EXECUTE FUNCTION intentions_notify();

--> statement-breakpoint
CREATE TABLE "push_subscriptions" (
	"session_id" text PRIMARY KEY NOT NULL,
	"being_id" text NOT NULL,
	"endpoint" text NOT NULL,
	"p256dh" text NOT NULL,
	"auth" text NOT NULL,
	"kinds" text[] DEFAULT ARRAY['mention', 'reply', 'bot_reply'] NOT NULL,
	"visible_space_id" text,
	"visible_until" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"modified_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "push_subscriptions_endpoint_unique" UNIQUE("endpoint")
);
--> statement-breakpoint
ALTER TABLE "push_subscriptions" ADD CONSTRAINT "push_subscriptions_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "push_subscriptions" ADD CONSTRAINT "push_subscriptions_being_id_beings_id_fk" FOREIGN KEY ("being_id") REFERENCES "public"."beings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "push_subscriptions_being_idx" ON "push_subscriptions" USING btree ("being_id");