-- Companion help offers: the articles the companion bot offered before filing a bug report.
--
-- Why: when a user tells the companion "report bug: ..." or "I have a problem: ...", the bot
-- first offers up to three help articles ("Did one of these answer it? yes / no, file it") and
-- files only on "no" (issue 26). Between the offer and the answer the report must wait
-- somewhere any worker can read, like companion_conversations: one row per user, what would
-- be filed and which articles were shown (offer_id ties it to help_article_events). An offer
-- expires after 15 minutes, as a pending conversation does; any other message drops it and is
-- handled as usual, so every way of filing stays open.

insert into public.support_messages (topic, status, code, message, hint) values
    ('companion_offer_articles_count', 400, 'companion_offer_articles_count',
        'article_ids must hold 1 to 3 articles', null);

create table public.companion_help_offers (
    user_id uuid not null default auth.uid(),
    offer_id uuid not null,
    intent text not null,
    details text not null,
    article_ids uuid[] not null,
    started_at timestamptz not null default now(),
    constraint companion_help_offers_pkey primary key (user_id),
    constraint companion_help_offers_user_id_fkey
        foreign key (user_id) references auth.users (id) on delete cascade,
    constraint companion_help_offers_intent_valid check (intent in ('bug')),
    constraint companion_help_offers_details_not_blank check (not private.is_blank(details)),
    constraint companion_help_offers_details_max_length check (char_length(details) <= 5000)
);

comment on table public.companion_help_offers is
    'The companion bot''s pending help offer per user: the report it will file on "no" and the '
    'articles it showed. Rows older than 15 minutes are expired and ignored.';
comment on column public.companion_help_offers.details is 'What the user wrote: the report filed on "no".';
comment on column public.companion_help_offers.article_ids is 'The articles shown, in the order shown.';
comment on constraint companion_help_offers_intent_valid on public.companion_help_offers is
    'intent must be bug';
comment on constraint companion_help_offers_details_not_blank on public.companion_help_offers is
    'details must not be blank';
comment on constraint companion_help_offers_details_max_length on public.companion_help_offers is
    'details must be at most 5000 characters';

alter table public.companion_help_offers enable row level security;
revoke all on table public.companion_help_offers from anon, authenticated;
grant select, delete on table public.companion_help_offers to authenticated;
grant insert (offer_id, intent, details, article_ids) on table public.companion_help_offers to authenticated;
grant select, insert, update, delete on table public.companion_help_offers to service_role;

create policy "users read their own help offer" on public.companion_help_offers
    for select to authenticated using (user_id = (select auth.uid()));
create policy "users start their own help offer" on public.companion_help_offers
    for insert to authenticated with check (user_id = (select auth.uid()));
create policy "users end their own help offer" on public.companion_help_offers
    for delete to authenticated using (user_id = (select auth.uid()));

insert into private.table_registry (table_name, configuration, secret_columns, note) values
    ('public.companion_help_offers', false, '{}', 'user data: the companion''s pending help offers');
update private.table_registry set erasure = 'delete', erasure_order = 10,
    person_columns = '{user_id,details}', erasure_rows = 'user_id = $1'
where table_name = 'public.companion_help_offers';

create function public.companion_offer_articles(jsonb)
    returns json
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    body jsonb := $1;
    offer uuid;
    articles uuid[];
begin
    perform private.check_request_body(body, pg_catalog.jsonb_build_object(
        'intent', 'string', 'details', 'string', 'offer_id', 'string', 'article_ids', 'string_array'));
    offer := private.uuid_param(body ->> 'offer_id', 'offer_id');
    select pg_catalog.array_agg(private.uuid_param(x.id, 'article_ids') order by x.n) into articles
    from pg_catalog.jsonb_array_elements_text(coalesce(body -> 'article_ids', '[]')) with ordinality as x (id, n);
    if coalesce(pg_catalog.cardinality(articles), 0) not between 1 and 3 then
        perform private.refuse('companion_offer_articles_count');
    end if;
    -- One pending offer per user: a new one replaces the old.
    delete from public.companion_help_offers as o where o.user_id = (select auth.uid());
    insert into public.companion_help_offers (offer_id, intent, details, article_ids)
    values (offer, coalesce(body ->> 'intent', 'bug'), coalesce(body ->> 'details', ''), articles);
    perform private.record_help_events_as_user('suggested', offer, articles, null);
    return pg_catalog.json_build_object('offer_id', offer, 'article_ids', pg_catalog.to_json(articles));
end;
$$;

comment on function public.companion_offer_articles(jsonb) is
    'Companion bot, as the user: {intent: bug, details, offer_id, article_ids (1-3, published)}. '
    'Keeps the report pending while the user reads the articles (replacing any earlier offer) '
    'and records one "suggested" event per article. Returns {offer_id, article_ids}.';
revoke all on function public.companion_offer_articles(jsonb) from public, anon, authenticated, service_role;
grant execute on function public.companion_offer_articles(jsonb) to authenticated;

create function public.companion_take_offer()
    returns json
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    taken public.companion_help_offers;
begin
    -- Taking is deleting, so two workers never file the same report twice.
    delete from public.companion_help_offers as o
    where o.user_id = (select auth.uid())
    returning o.* into taken;
    if taken.started_at > pg_catalog.now() - interval '15 minutes' then
        return pg_catalog.json_build_object('offer_id', taken.offer_id, 'intent', taken.intent,
            'details', taken.details, 'article_ids', pg_catalog.to_json(taken.article_ids));
    end if;
    return null;
end;
$$;

comment on function public.companion_take_offer() is
    'Companion bot, as the user: ends the caller''s pending help offer and returns it '
    '{offer_id, intent, details, article_ids}, or null when there is none or it is older than 15 minutes.';
revoke all on function public.companion_take_offer() from public, anon, authenticated, service_role;
grant execute on function public.companion_take_offer() to authenticated;
