ALTER TABLE "intentions" ADD COLUMN "asker_id" text;--> statement-breakpoint
ALTER TABLE "intentions" ADD CONSTRAINT "intentions_asker_id_beings_id_fk" FOREIGN KEY ("asker_id") REFERENCES "public"."beings"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "intentions_active_replies_idx" ON "intentions" USING btree ("location_id","owner_id") WHERE "intentions"."state" = 'active' AND "intentions"."asker_id" IS NOT NULL;--> statement-breakpoint
-- A bot's reply names whose post it answers (askerId); every other intention renders as before.
CREATE OR REPLACE FUNCTION intention_json(i intentions) RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'id', i.id, 'name', i.name, 'type', i.type, 'state', i.state, 'ownerId', i.owner_id,
    'locationId', i.location_id, 'content', i.content, 'createdAt', i.created_at, 'modifiedAt', i.modified_at)
    || CASE WHEN i.asker_id IS NOT NULL THEN jsonb_build_object('askerId', i.asker_id) ELSE '{}'::jsonb END
$$;
--> statement-breakpoint
-- Who may change or delete an intention, the one rule every statement applies: its owner and superusers;
-- and a reply still streaming from a bot may be stopped (state -> cancelled, nothing else) by the author
-- of the post it answers, the bot's owner and the space's owner. `new_state` is null for a delete or an
-- edit that keeps the state; `edits_content` says whether the change touches the content.
CREATE FUNCTION may_change_intention(i intentions, caller_id text, caller_is_superuser boolean, new_state text, edits_content boolean)
RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT coalesce(i.owner_id = caller_id OR caller_is_superuser, false)
    OR coalesce(i.state = 'active' AND new_state = 'cancelled' AND NOT edits_content AND caller_id IS NOT NULL
      AND EXISTS (SELECT 1 FROM beings bot WHERE bot.id = i.owner_id AND bot.type = 'bot')
      AND (caller_id = i.asker_id
        OR caller_id = (SELECT bot.owner_id FROM beings bot WHERE bot.id = i.owner_id)
        OR caller_id = (SELECT s.owner_id FROM beings s WHERE s.id = i.location_id)), false)
$$;
