-- The beings a content mentions: the ids of its mention nodes at any depth, each once (mentionedIds() in
-- src/shared/content.ts reads it alike). IMMUTABLE, because intentions.mentions is generated from it.
CREATE OR REPLACE FUNCTION content_mentions(nodes jsonb) RETURNS text[] LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  RETURN coalesce((
    SELECT array_agg(DISTINCT id) FROM (
      SELECT n -> 'props' ->> 'id' AS id FROM jsonb_array_elements(CASE WHEN jsonb_typeof(nodes) = 'array' THEN nodes ELSE '[]'::jsonb END) AS e(n)
      WHERE jsonb_typeof(n) = 'object' AND n ->> 'type' = 'mention' AND n -> 'props' ->> 'id' LIKE '@%'
      UNION
      SELECT unnest(content_mentions(n -> 'content')) FROM jsonb_array_elements(CASE WHEN jsonb_typeof(nodes) = 'array' THEN nodes ELSE '[]'::jsonb END) AS e(n)
      WHERE jsonb_typeof(n) = 'object' AND n ? 'content') AS m), '{}');
END
$$;
--> statement-breakpoint
-- The message a content replies to: its first top-level reply node's target (replyTarget() alike).
-- IMMUTABLE, because intentions.reply_to is generated from it.
CREATE OR REPLACE FUNCTION content_reply_to(nodes jsonb) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT n -> 'props' ->> 'to'
  FROM jsonb_array_elements(CASE WHEN jsonb_typeof(nodes) = 'array' THEN nodes ELSE '[]'::jsonb END) WITH ORDINALITY AS e(n, i)
  WHERE jsonb_typeof(n) = 'object' AND n ->> 'type' = 'reply' AND n -> 'props' ->> 'to' LIKE '/%'
  ORDER BY i LIMIT 1
$$;
--> statement-breakpoint
ALTER TABLE "intentions" ADD COLUMN "mentions" text[] GENERATED ALWAYS AS (content_mentions(content)) STORED NOT NULL;--> statement-breakpoint
ALTER TABLE "intentions" ADD COLUMN "reply_to" text GENERATED ALWAYS AS (content_reply_to(content)) STORED;--> statement-breakpoint
CREATE INDEX "intentions_mentions_idx" ON "intentions" USING gin ("mentions");--> statement-breakpoint
CREATE INDEX "intentions_reply_to_idx" ON "intentions" USING btree ("reply_to");