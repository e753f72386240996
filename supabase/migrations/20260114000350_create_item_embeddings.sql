-- The sentence embeddings of tickets and feedback entries, and how the likely-duplicates
-- lookup weighs them against shared words.
--
-- Why: reports of one problem in other words ("the price is shown in dollars though I live in
-- France", "wrong currency on the upgrade screen") share meaning, not words (issue 25). The
-- triage worker embeds each item it scores (support_triage.embedding: all-MiniLM-L6-v2, 384
-- dimensions, on the CPU) from the same text and in the same transaction as its suggestions,
-- and stores the vector here with the model that made it: vectors of two models are never
-- compared, and a new model re-embeds in the background (private.embedding_backlog) while the
-- old vectors keep answering. The lookups compare a report with the candidates of their own
-- window (open reports of a few weeks, open problems: a partial index bounds them), exactly,
-- with pgvector's cosine distance; an approximate index would answer less exactly for no gain
-- on a set that size (docs/triage.md). The tables are private: no API role reads a vector.
--
-- A change of the text (an erasure anonymises it) deletes the vector at once, so no vector
-- outlives the words it was made from; the backlog makes a new one.

-- squawk: First release: nothing is deployed yet, so the tables are empty when this runs; the
-- settings table holds one row (and -1.76 is a constant, which squawk takes for an expression).
-- squawk-ignore-file require-concurrent-index-creation, adding-required-field, constraint-missing-not-valid, adding-field-with-default

create table private.ticket_embeddings (
    ticket_id uuid primary key references public.support_tickets (id) on delete cascade,
    model text not null,
    embedding extensions.vector(384) not null,
    embedded_at timestamptz not null default now()
);

comment on table private.ticket_embeddings is
    'The sentence embedding of a ticket''s subject and description, written by support-triage '
    '(private.save_embeddings); model names what made it. Deleted when the text changes.';

create table private.feedback_embeddings (
    feedback_id uuid primary key references public.user_feedback (id) on delete cascade,
    model text not null,
    embedding extensions.vector(384) not null,
    embedded_at timestamptz not null default now()
);

comment on table private.feedback_embeddings is
    'The sentence embedding of a feedback entry''s feature name and description, written by '
    'support-triage (private.save_embeddings). Deleted when the text changes.';

-- The backlog looks for items without a vector of the worker's model.
create index ticket_embeddings_model_idx on private.ticket_embeddings (model);
create index feedback_embeddings_model_idx on private.feedback_embeddings (model);

alter table private.ticket_embeddings enable row level security;
alter table private.feedback_embeddings enable row level security;
revoke all on private.ticket_embeddings, private.feedback_embeddings
    from public, anon, authenticated, service_role;

create function private.forget_ticket_embedding()
    returns trigger
    language plpgsql
    security definer
    set search_path = ''
as $$
begin
    -- Definer: the user or agent whose change fires this holds no privilege on the vectors.
    delete from private.ticket_embeddings as e where e.ticket_id = new.id;
    return null;
end;
$$;

comment on function private.forget_ticket_embedding() is
    'A ticket''s subject or description changed: its vector no longer says what it says.';

create trigger support_tickets_forget_embedding
    after update of subject, description on public.support_tickets
    for each row
    when (old.subject is distinct from new.subject or old.description is distinct from new.description)
    execute function private.forget_ticket_embedding();

create function private.forget_feedback_embedding()
    returns trigger
    language plpgsql
    security definer
    set search_path = ''
as $$
begin
    -- Definer, as private.forget_ticket_embedding.
    delete from private.feedback_embeddings as e where e.feedback_id = new.id;
    return null;
end;
$$;

comment on function private.forget_feedback_embedding() is
    'A feedback entry''s feature name or description changed: its vector is deleted.';

create trigger user_feedback_forget_embedding
    after update of feature_name, description on public.user_feedback
    for each row
    when (old.feature_name is distinct from new.feature_name or old.description is distinct from new.description)
    execute function private.forget_feedback_embedding();

revoke all on function private.forget_ticket_embedding(), private.forget_feedback_embedding() from public;

-- The likely-duplicates score when both reports have a vector of one model: the chance that
-- they report the same problem, by a logistic model over the cosine of the vectors and the
-- shared-words score, fitted on the evaluation set (python -m support_dev.triage_eval prints
-- the fit and the figures); similar_min_probability is the least chance shown.
alter table public.triage_settings
    add column similar_intercept real not null default -1.76,
    add column similar_cosine_weight real not null default 6.10,
    add column similar_lexical_weight real not null default 0,
    add column similar_min_probability real not null default 0.847,
    add constraint triage_settings_similar_min_probability_range
        check (similar_min_probability > 0 and similar_min_probability < 1),
    add constraint triage_settings_similar_cosine_weight_positive check (similar_cosine_weight > 0),
    add constraint triage_settings_similar_lexical_weight_not_negative check (similar_lexical_weight >= 0);

comment on column public.triage_settings.similar_intercept is
    'Likely duplicates with vectors: the chance of one problem is 1 / (1 + exp(-(similar_intercept '
    '+ similar_cosine_weight * cosine + similar_lexical_weight * shared-words score))).';
comment on column public.triage_settings.similar_min_probability is
    'Likely duplicates with vectors: the least chance shown (similar_min_score applies to '
    'reports without a vector yet, scored on shared words alone).';
comment on constraint triage_settings_similar_min_probability_range on public.triage_settings is
    'similar_min_probability must be above 0 and below 1';
comment on constraint triage_settings_similar_cosine_weight_positive on public.triage_settings is
    'similar_cosine_weight must be above 0: closer in meaning is never less likely the same';
comment on constraint triage_settings_similar_lexical_weight_not_negative on public.triage_settings is
    'similar_lexical_weight must be at least 0: sharing words is never evidence of another problem';

grant update (similar_intercept, similar_cosine_weight, similar_lexical_weight, similar_min_probability)
    on public.triage_settings to authenticated;
