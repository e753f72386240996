-- What support-triage may do with sentence embeddings: store them, and find the items that
-- still need one.
--
-- Why: the worker embeds each item it scores with the same text, in the transaction that stores
-- the suggestions (support_triage.store), and embeds in the background what has no vector of its
-- model: the items already there when embeddings arrive, those whose text changed, and all of
-- them again after a change of model. Like the other functions of its role (20260114002000),
-- these are definer functions: the role reads and writes no table.

-- embeddings: a JSON array of {ticket_id | feedback_id, text_md5, embedding}: pgvector's text
-- form, and the md5 of the two texts it was made from joined by a line break (subject and
-- description; feature name, or '', and description).
create function private.save_embeddings(model text, embeddings jsonb)
    returns integer
    language plpgsql
    volatile
    security definer
    set search_path = ''
as $$
declare
    saved integer;
    more integer;
begin
    -- An item deleted or whose text changed since it was read (an erasure anonymised it, the
    -- backlog reading no lock) is skipped: no vector outlives the words it was made from.
    insert into private.ticket_embeddings as e (ticket_id, model, embedding)
    select t.id, save_embeddings.model, i.embedding::extensions.vector
    from pg_catalog.jsonb_to_recordset(embeddings) as i (ticket_id uuid, text_md5 text, embedding text)
    join public.support_tickets as t
        on t.id = i.ticket_id and pg_catalog.md5(t.subject || E'\n' || t.description) = i.text_md5
    on conflict (ticket_id) do update
        set model = excluded.model, embedding = excluded.embedding, embedded_at = pg_catalog.now();
    get diagnostics saved = row_count;
    insert into private.feedback_embeddings as e (feedback_id, model, embedding)
    select f.id, save_embeddings.model, i.embedding::extensions.vector
    from pg_catalog.jsonb_to_recordset(embeddings) as i (feedback_id uuid, text_md5 text, embedding text)
    join public.user_feedback as f on f.id = i.feedback_id
        and pg_catalog.md5(coalesce(f.feature_name, '') || E'\n' || f.description) = i.text_md5
    on conflict (feedback_id) do update
        set model = excluded.model, embedding = excluded.embedding, embedded_at = pg_catalog.now();
    get diagnostics more = row_count;
    return saved + more;
end;
$$;

comment on function private.save_embeddings(text, jsonb) is
    'support-triage only (definer: its role writes no table): stores the vectors of a model for '
    'tickets and feedback entries whose text is still the one embedded (text_md5), replacing '
    'what each had.';

-- The items a lookup can meet (open reports of the duplicate window, open problems whatever
-- their age, feedback of the window) without a vector of this model, newest first.
create function private.embedding_backlog(model text, batch integer)
    returns table (kind text, id uuid, first_text text, description text)
    language plpgsql
    stable
    security definer
    set search_path = ''
as $$
declare
    cutoff timestamptz := pg_catalog.now() - pg_catalog.make_interval(
        days => (select s.similar_window_days from public.triage_settings as s));
begin
    return query
        (select 'ticket', t.id, t.subject, t.description
         from public.support_tickets as t
         where t.status in ('open', 'in_progress')
             and (t.created_at >= cutoff
                  or exists (select 1 from public.support_tickets as r
                             where r.problem_id = t.id and r.status in ('open', 'in_progress')))
             and not exists (select 1 from private.ticket_embeddings as e
                             where e.ticket_id = t.id and e.model = embedding_backlog.model)
         order by t.created_at desc
         limit embedding_backlog.batch)
        union all
        (select 'feedback', f.id, f.feature_name, f.description
         from public.user_feedback as f
         where f.created_at >= cutoff
             and not exists (select 1 from private.feedback_embeddings as e
                             where e.feedback_id = f.id and e.model = embedding_backlog.model)
         order by f.created_at desc
         limit embedding_backlog.batch);
end;
$$;

comment on function private.embedding_backlog(text, integer) is
    'support-triage only (definer: its role reads no table): up to batch tickets and batch '
    'feedback entries that a lookup can meet and that have no vector of this model, newest '
    'first, with their text.';

revoke all on function private.save_embeddings(text, jsonb), private.embedding_backlog(text, integer)
    from public;
grant execute on function private.save_embeddings(text, jsonb), private.embedding_backlog(text, integer)
    to support_triage;
