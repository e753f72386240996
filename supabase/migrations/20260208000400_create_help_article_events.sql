-- Deflection and helpfulness as data: what was suggested, what answered, what got filed anyway,
-- and readers' votes.
--
-- Why: a help center is worth the tickets it saves (issue 26). Each time a signed-in user is
-- shown suggestions (the companion, the app) the client records one offer (offer_id, a UUID it
-- makes) with a "suggested" event per article shown; "this answered it" is an "answered" event
-- on the article that did; a ticket filed after the offer is a "ticket_filed" event per article
-- that was shown, naming the ticket. support_stats reads them (20260208000500): deflection rate =
-- offers answered / offers shown; the articles that answer most and least.
--
-- Anonymous readers: no events and no votes. Anon writes nothing in this project (a house rule),
-- and a count anyone can inflate without an account is not a figure; the public pages show the
-- articles and, to vote, ask the reader to sign in. Votes: one per user per article (the key),
-- which the user may change (helpful <-> not helpful) but not double.

-- squawk: position orders a handful of rows.
-- squawk-ignore-file prefer-bigint-over-smallint

insert into public.support_messages (topic, status, code, message, hint) values
    ('help_article_not_found', 404, 'help_article_not_found', 'Article not found',
        'Only published articles are suggested, answered or voted on.'),
    ('help_event_ticket_missing', 400, 'help_event_ticket_missing',
        'ticket_id is required for ticket_filed, and only for it', null),
    ('help_event_articles_count', 400, 'help_event_articles_count',
        'article_ids must hold 1 to 10 articles (exactly 1 for answered)', null);

create table public.help_article_event_kinds (
    code text primary key,
    label text not null,
    position smallint not null unique,
    constraint help_article_event_kinds_code_format check (code ~ '^[a-z_]+$'),
    constraint help_article_event_kinds_label_not_blank check (not private.is_blank(label))
);

comment on table public.help_article_event_kinds is
    'What happened to a suggested article: suggested (shown), answered (the reader said it answered '
    'the question), ticket_filed (a ticket was filed after it was shown).';
comment on constraint help_article_event_kinds_code_format on public.help_article_event_kinds is
    'code must be lower-case letters and _';
comment on constraint help_article_event_kinds_label_not_blank on public.help_article_event_kinds is
    'label must not be blank';

insert into public.help_article_event_kinds (code, label, position) values
    ('suggested', 'Suggested', 1),
    ('answered', 'Answered the question', 2),
    ('ticket_filed', 'Ticket filed after it was suggested', 3);

create table public.help_article_events (
    id bigint generated always as identity primary key,
    offer_id uuid not null,
    article_id uuid not null references public.help_articles (id) on delete cascade,
    kind text not null,
    user_id uuid default auth.uid() references auth.users (id) on delete set null,
    ticket_id uuid references public.support_tickets (id) on delete set null,
    created_at timestamptz not null default now(),
    constraint help_article_events_kind_valid foreign key (kind) references public.help_article_event_kinds (code),
    constraint help_article_events_offer_id_article_id_kind_unique unique (offer_id, article_id, kind)
);

comment on table public.help_article_events is
    'Suggestions shown and what came of them, per offer (the articles shown together once). '
    'Recorded by signed-in users through record_help_events; read by staff through support_stats.';
comment on column public.help_article_events.offer_id is 'One offer: the articles shown together, made by the client.';
comment on column public.help_article_events.ticket_id is 'ticket_filed: the ticket filed after the offer.';
comment on constraint help_article_events_kind_valid on public.help_article_events is 'kind must be one of {codes}';
comment on constraint help_article_events_offer_id_article_id_kind_unique on public.help_article_events is
    'an offer records each article once per kind';

-- One "answered" per offer: a question is answered once.
create unique index help_article_events_offer_id_answered_idx on public.help_article_events (offer_id)
    where kind = 'answered';
create index help_article_events_created_at_idx on public.help_article_events (created_at, kind);
create index help_article_events_article_id_idx on public.help_article_events (article_id);
create index help_article_events_user_id_idx on public.help_article_events (user_id);
create index help_article_events_ticket_id_idx on public.help_article_events (ticket_id);

create table public.help_article_votes (
    article_id uuid not null references public.help_articles (id) on delete cascade,
    user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
    helpful boolean not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (article_id, user_id)
);

comment on table public.help_article_votes is
    'Readers'' "was this helpful?": one vote per signed-in user per article, which they may change. '
    'No anonymous votes (see 20260208000400).';

create index help_article_votes_user_id_idx on public.help_article_votes (user_id);
-- support_stats counts the votes cast (or changed) in its window.
create index help_article_votes_updated_at_idx on public.help_article_votes (updated_at);

alter table public.help_article_event_kinds enable row level security;
alter table public.help_article_events enable row level security;
alter table public.help_article_votes enable row level security;
revoke all on table public.help_article_event_kinds, public.help_article_events, public.help_article_votes
    from anon, authenticated;
grant select on table public.help_article_event_kinds to authenticated, service_role;
grant select, insert, update, delete on table public.help_article_events to service_role;
grant select, delete on table public.help_article_votes to authenticated;
grant insert (article_id, helpful) on table public.help_article_votes to authenticated;
grant update (helpful) on table public.help_article_votes to authenticated;
grant select, insert, update, delete on table public.help_article_votes to service_role;
-- help_article_events: no grant to signed-in users; they record through record_help_events.

create policy "signed-in users read the event kinds" on public.help_article_event_kinds
    for select to authenticated using (true);
create policy "users read their own votes" on public.help_article_votes
    for select to authenticated using (user_id = (select auth.uid()));
create policy "users vote on published articles" on public.help_article_votes
    for insert to authenticated
    with check (
        user_id = (select auth.uid())
        and exists (select 1 from public.help_articles as a where a.id = article_id and a.status = 'published'));
create policy "users change their own votes" on public.help_article_votes
    for update to authenticated
    using (user_id = (select auth.uid()))
    with check (user_id = (select auth.uid()));
create policy "users take back their own votes" on public.help_article_votes
    for delete to authenticated using (user_id = (select auth.uid()));

create function private.touch_help_article_vote()
    returns trigger
    language plpgsql
    security invoker
    set search_path = ''
as $$
begin
    new.updated_at := pg_catalog.now();
    return new;
end;
$$;

comment on function private.touch_help_article_vote() is 'Stamps updated_at when a vote changes.';
revoke all on function private.touch_help_article_vote() from public;
grant execute on function private.touch_help_article_vote() to authenticated, service_role;

create trigger help_article_votes_touch before update on public.help_article_votes
    for each row execute function private.touch_help_article_vote();

insert into private.table_registry (table_name, configuration, secret_columns, note) values
    ('public.help_article_event_kinds', true, '{}', 'vocabulary of help article events'),
    ('public.help_article_events', false, '{}', 'user data: suggestions shown and their outcome'),
    ('public.help_article_votes', false, '{}', 'user data: readers'' votes on articles');
-- Erasure (docs/privacy.md): events stay without the person (deflection figures hold); votes go
-- (an article's helpful count loses theirs).
update private.table_registry set erasure = 'anonymise', erasure_order = 20,
    person_columns = '{user_id}', erasure_rows = 'user_id = $1', erasure_set = 'user_id = null'
where table_name = 'public.help_article_events';
update private.table_registry set erasure = 'delete', erasure_order = 10,
    person_columns = '{user_id}', erasure_rows = 'user_id = $1'
where table_name = 'public.help_article_votes';

create trigger audit_changes after insert or update or delete on public.help_article_event_kinds
    for each row execute function private.record_audit();
create trigger audit_truncate after truncate on public.help_article_event_kinds
    for each statement execute function private.record_audit();

-- Security definer: users hold no privilege on help_article_events (they must not read others'
-- or write any kind of row at will); it checks every input and writes the caller's rows only.
create function private.record_help_events_as_user(
    event_kind text, offer uuid, articles uuid[], ticket uuid)
    returns json
    language plpgsql
    volatile
    security definer
    set search_path = ''
as $$
declare
    caller uuid := (select auth.uid());
    recorded integer;
begin
    -- kind is required: a missing one is refused as an unknown one is.
    perform private.check_vocabulary_filter('help_article_events', 'kind', coalesce(event_kind, ''));
    if (event_kind = 'ticket_filed') <> (ticket is not null) then
        perform private.refuse('help_event_ticket_missing');
    end if;
    if coalesce(pg_catalog.cardinality(articles), 0) not between 1 and 10
        or (event_kind = 'answered' and pg_catalog.cardinality(articles) <> 1) then
        perform private.refuse('help_event_articles_count');
    end if;
    if exists (
        select 1 from pg_catalog.unnest(articles) as x (id)
        where not exists (
            select 1 from public.help_articles as a where a.id = x.id and a.status = 'published')) then
        perform private.refuse('help_article_not_found');
    end if;
    if ticket is not null and not exists (
        select 1 from public.support_tickets as t where t.id = ticket and t.user_id = caller) then
        perform private.raise_ticket_not_found();
    end if;
    -- An offer is one user's: another user's offer_id records nothing.
    if exists (select 1 from public.help_article_events as e where e.offer_id = offer and e.user_id <> caller) then
        perform private.refuse('help_article_not_found');
    end if;
    insert into public.help_article_events (offer_id, article_id, kind, user_id, ticket_id)
    select offer, x.id, event_kind, caller, ticket
    from (select distinct y.id from pg_catalog.unnest(articles) as y (id)) as x
    on conflict do nothing;
    get diagnostics recorded = row_count;
    return pg_catalog.json_build_object('offer_id', offer, 'kind', event_kind, 'recorded', recorded);
end;
$$;

comment on function private.record_help_events_as_user(text, uuid, uuid[], uuid) is
    'Records one kind of event for the articles of an offer, as the caller. Security definer: '
    'users hold no privilege on help_article_events; it checks the kind, that the articles are '
    'published, that a ticket is the caller''s own and that the offer is theirs.';
revoke all on function private.record_help_events_as_user(text, uuid, uuid[], uuid) from public;
grant execute on function private.record_help_events_as_user(text, uuid, uuid[], uuid) to authenticated;

create function public.record_help_events(jsonb)
    returns json
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    body jsonb := $1;
begin
    perform private.check_request_body(body, pg_catalog.jsonb_build_object(
        'kind', 'string', 'offer_id', 'string', 'article_ids', 'string_array', 'ticket_id', 'string'));
    return private.record_help_events_as_user(
        body ->> 'kind',
        private.uuid_param(body ->> 'offer_id', 'offer_id'),
        (select pg_catalog.array_agg(private.uuid_param(x.id, 'article_ids'))
         from pg_catalog.jsonb_array_elements_text(coalesce(body -> 'article_ids', '[]')) as x (id)),
        private.uuid_param(body ->> 'ticket_id', 'ticket_id', false));
end;
$$;

comment on function public.record_help_events(jsonb) is
    'Signed-in users. Body: {kind: suggested | answered | ticket_filed, offer_id (a UUID the client '
    'makes per set of suggestions shown), article_ids (1-10; exactly 1 for answered), ticket_id '
    '(ticket_filed only: the caller''s ticket filed after the offer)}. Returns {offer_id, kind, '
    'recorded} (an event already recorded is not recorded twice). 400 for a bad body, 404 for an '
    'article that is not published or a ticket that is not the caller''s.';
revoke all on function public.record_help_events(jsonb) from public, anon, authenticated, service_role;
grant execute on function public.record_help_events(jsonb) to authenticated;
