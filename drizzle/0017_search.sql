-- The text of an intention's content for message search: its strings in order, a node by its children
-- (contentText() in src/shared/content.ts reads it alike, but joins with nothing: here a space keeps the
-- words of two nodes apart). IMMUTABLE, because intentions.search is generated from it.
CREATE OR REPLACE FUNCTION content_text(nodes jsonb) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  RETURN (
    SELECT coalesce(string_agg(CASE WHEN jsonb_typeof(n) = 'string' THEN n #>> '{}' ELSE content_text(n -> 'content') END, ' ' ORDER BY i), '')
    FROM jsonb_array_elements(CASE WHEN jsonb_typeof(nodes) = 'array' THEN nodes ELSE '[]'::jsonb END) WITH ORDINALITY AS e(n, i));
END
$$;
--> statement-breakpoint
ALTER TABLE "intentions" ADD COLUMN "search" "tsvector" GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, content_text(content))) STORED NOT NULL;--> statement-breakpoint
CREATE INDEX "intentions_search_idx" ON "intentions" USING gin ("search");