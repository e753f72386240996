-- Satisfaction (CSAT): the owner of a resolved or closed ticket rates it once, 1 to 5.
--
-- Why: support learns whether people were helped. A rating is a row of ticket_ratings, one per
-- ticket (the primary key), written by the ticket's owner only (RLS), and only once the ticket
-- is resolved or closed and within the rating window after its resolution (14 days; a row of
-- satisfaction_settings that admins change). A ticket merged into another is never rated: it
-- was closed unanswered, and its requester rates the ticket it was merged into (else the same
-- incident counts twice in CSAT). A problem's linked reports are ordinary tickets of their own
-- requesters and are rated once each. A BEFORE INSERT trigger holds these rules, so a
-- direct insert through PostgREST meets them as the RPC rate_ticket does; its refusals are
-- HTTP 409 with a message naming the rule. Each rating is a `rating` event in the ticket's
-- history (to = the rating). A rating is never changed or removed through the API. Staff hold
-- no read policy here, as on the tickets (see 20260110000800): they read a ticket's rating
-- through support_ticket and the averages through support_stats, private security-definer
-- functions that check the caller is staff first.

-- squawk: A rating 1 to 5: nowhere near the int limit squawk warns of.
-- squawk-ignore-file prefer-bigint-over-int

create table public.satisfaction_settings (
    id boolean primary key default true,
    rating_window interval not null default interval '14 days',
    constraint satisfaction_settings_id_single check (id),
    constraint satisfaction_settings_rating_window_positive check (rating_window > interval '0')
);

comment on table public.satisfaction_settings is
    'One row: how long after its resolution the owner of a ticket may rate it. Admins change it.';
comment on column public.satisfaction_settings.rating_window is
    'How long after resolved_at (or the close, for a ticket closed unresolved) a rating is accepted.';
comment on constraint satisfaction_settings_id_single on public.satisfaction_settings is
    'satisfaction_settings holds one row';
comment on constraint satisfaction_settings_rating_window_positive on public.satisfaction_settings is
    'rating_window must be a positive interval';

insert into public.satisfaction_settings (id, rating_window) values (true, interval '14 days');

alter table public.satisfaction_settings enable row level security;
revoke all on table public.satisfaction_settings from anon, authenticated;
grant select on table public.satisfaction_settings to authenticated;
grant update (rating_window) on table public.satisfaction_settings to authenticated;
grant select, update on table public.satisfaction_settings to service_role;

create policy "signed-in users read the rating window"
    on public.satisfaction_settings
    for select
    to authenticated
    using (true);

create policy "admins change the rating window"
    on public.satisfaction_settings
    for update
    to authenticated
    using ((select private.is_admin()))
    with check ((select private.is_admin()));

create table public.ticket_ratings (
    ticket_id uuid primary key references public.support_tickets (id) on delete cascade,
    user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
    rating integer not null,
    comment text,
    created_at timestamptz not null default now(),
    constraint ticket_ratings_rating_range check (rating between 1 and 5),
    constraint ticket_ratings_comment_not_blank check (comment !~ '^[[:space:]]*$'),
    constraint ticket_ratings_comment_max_length check (char_length(comment) <= 2000)
);

comment on table public.ticket_ratings is
    'Satisfaction ratings (CSAT): one per ticket, by its owner, once it is resolved or closed and '
    'within satisfaction_settings.rating_window of its resolution.';
comment on column public.ticket_ratings.rating is '1 (very dissatisfied) to 5 (very satisfied).';
comment on column public.ticket_ratings.comment is 'Optional; at most 2000 characters.';
comment on constraint ticket_ratings_rating_range on public.ticket_ratings is
    'rating must be an integer from 1 to 5';
comment on constraint ticket_ratings_comment_not_blank on public.ticket_ratings is
    'comment must not be blank';
comment on constraint ticket_ratings_comment_max_length on public.ticket_ratings is
    'comment must be at most 2000 characters';

create index ticket_ratings_user_id_idx on public.ticket_ratings (user_id);
-- support_stats reads the ratings of a window.
create index ticket_ratings_created_at_rating_idx on public.ticket_ratings (created_at, rating);

create function private.check_ticket_rating()
    returns trigger
    language plpgsql
    security invoker
    set search_path = ''
as $$
declare
    ticket record;
    rating_window interval;
begin
    -- A ticket the caller cannot see is left to RLS and the foreign key.
    select t.status, t.resolved_at, t.updated_at, t.merged_into into ticket
    from public.support_tickets as t
    where t.id = new.ticket_id;
    if not found then
        return new;
    end if;
    if ticket.merged_into is not null then
        perform private.refuse('rating_merged_ticket');
    end if;
    if ticket.status not in ('resolved', 'closed') then
        perform private.refuse('ticket_not_rateable');
    end if;
    if exists (select 1 from public.ticket_ratings as r where r.ticket_id = new.ticket_id) then
        perform private.refuse('ticket_already_rated');
    end if;
    select s.rating_window into rating_window from public.satisfaction_settings as s;
    if now() > coalesce(ticket.resolved_at, ticket.updated_at) + coalesce(rating_window, interval '14 days') then
        perform private.refuse('rating_window_passed', pg_catalog.jsonb_build_object('window', rating_window));
    end if;
    return new;
end;
$$;

comment on function private.check_ticket_rating() is
    'Before insert on public.ticket_ratings: the ticket must be resolved or closed, not merged into '
    'another, not rated yet and resolved within the rating window (HTTP 409 otherwise).';

-- Security definer: no role inserts history events directly. It appends exactly the rating
-- event of the row just inserted.
create function private.record_ticket_rating()
    returns trigger
    language plpgsql
    security definer
    set search_path = ''
as $$
begin
    insert into public.ticket_events (ticket_id, kind, actor_id, actor_kind, to_value)
    values (new.ticket_id, 'rating', new.user_id, 'user', new.rating::text);
    return null;
end;
$$;

comment on function private.record_ticket_rating() is
    'After insert on public.ticket_ratings: appends the rating event (to = the rating) to the ticket''s history.';
revoke all on function private.check_ticket_rating(), private.record_ticket_rating() from public;

create trigger ticket_ratings_check
    before insert on public.ticket_ratings
    for each row
    execute function private.check_ticket_rating();

create trigger ticket_ratings_record
    after insert on public.ticket_ratings
    for each row
    execute function private.record_ticket_rating();

alter table public.ticket_ratings enable row level security;
revoke all on table public.ticket_ratings from anon, authenticated, service_role;
grant select on table public.ticket_ratings to authenticated, service_role;
grant insert (ticket_id, rating, comment) on table public.ticket_ratings to authenticated;

create policy "users read their own ratings"
    on public.ticket_ratings
    for select
    to authenticated
    using (user_id = (select auth.uid()));

create policy "users rate their own tickets"
    on public.ticket_ratings
    for insert
    to authenticated
    with check (
        user_id = (select auth.uid())
        and exists (
            select 1
            from public.support_tickets as t
            where t.id = ticket_ratings.ticket_id
                and t.user_id = (select auth.uid())
        )
    );
