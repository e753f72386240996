-- pgvector, for the sentence embeddings of tickets, feedback and help articles.
--
-- Why: "similar" should mean similar in meaning, not in shared words (issue 25): the triage
-- worker stores each item's embedding beside it and the lookups compare them. A hosted
-- Supabase project has pgvector (0.8); locally scripts/build-pgvector.sh builds the same version
-- for both servers. In schema extensions, as Supabase installs it.

create extension if not exists vector with schema extensions;
