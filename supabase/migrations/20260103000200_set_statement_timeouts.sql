-- Statement timeouts of the API roles, sized to what the API needs at 10 million tickets.
--
-- Why: a statement that runs until the timeout holds one of PostgREST's few database
-- connections all that time. Supabase's defaults (anon 3 s, authenticated 8 s) let one
-- expensive filter hold a connection for 8 s. The slowest legitimate operations measured at 10
-- million rows (bench/results/2026-11-25-vm.md) take well under a second end to end: listing the
-- tickets of a user with 10,000 of them 22 ms p99, a create 65 ms p99 at 16 connections and
-- 470 ms p99 through the Flask layer with 64 connections on a saturated 2-core machine (most
-- of that queueing outside the database). 2 s is four times the worst of those and ~100 times
-- the database's own share; anon may read and write nothing, so 1 s is ample for its refusals.
--
-- PostgREST applies these role settings itself on every request (it reads them with its
-- configuration; the notify below makes a running PostgREST reload them). On a hosted project
-- the postgres role may set them (Supabase's own guide on timeouts does the same), and they hold
-- for every connection of those roles, PostgREST's and any other.

alter role authenticated set statement_timeout = '2s';
alter role anon set statement_timeout = '1s';

notify pgrst, 'reload config';
notify pgrst, 'reload schema';
