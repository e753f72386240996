-- Companion conversations: the one question the companion bot is waiting for a user to answer.
--
-- Why: when a user writes only "report bug" (or "I have feedback", "feature request"), the bot
-- asks what happened and files the user's next message. That pending question must outlive the
-- worker process that asked it, so it lives here, one row per user, and any worker can answer.
-- The bot acts as the user (a short-lived JWT minted for them), so Row Level Security lets a
-- user start, read and end only their own pending conversation. A pending conversation
-- expires 15 minutes after it started: companion_take_conversation() ignores older rows, and
-- users cannot set started_at themselves (no column privilege), so the expiry holds for
-- every caller.

create table public.companion_conversations (
    user_id uuid not null default auth.uid(),
    intent text not null,
    started_at timestamptz not null default now(),
    constraint companion_conversations_pkey primary key (user_id),
    constraint companion_conversations_user_id_fkey
        foreign key (user_id) references auth.users (id) on delete cascade,
    -- The intents the bot asks about (support_api/companion/vocabulary.py, PENDING; a test
    -- compares the two).
    constraint companion_conversations_intent_valid
        check (intent in ('bug', 'feedback', 'feature_request'))
);

comment on table public.companion_conversations is
    'The companion bot''s pending question per user: what the user''s next message will be '
    'filed as. Rows older than 15 minutes are expired and ignored.';
comment on column public.companion_conversations.intent is
    'What the next message becomes: bug (a bug report), feedback (category other) or '
    'feature_request (feedback of that category).';
comment on column public.companion_conversations.started_at is
    'When the bot asked; set by the database only.';
comment on constraint companion_conversations_intent_valid on public.companion_conversations is
    'intent must be one of bug, feedback, feature_request';

alter table public.companion_conversations enable row level security;
revoke all on table public.companion_conversations from anon, authenticated;
grant select, delete on table public.companion_conversations to authenticated;
-- user_id and started_at take their defaults: a user names only the intent.
grant insert (intent) on table public.companion_conversations to authenticated;
grant select, insert, update, delete on table public.companion_conversations to service_role;

create policy "users read their own pending conversation"
    on public.companion_conversations
    for select
    to authenticated
    using (user_id = (select auth.uid()));

create policy "users start their own pending conversation"
    on public.companion_conversations
    for insert
    to authenticated
    with check (user_id = (select auth.uid()));

create policy "users end their own pending conversation"
    on public.companion_conversations
    for delete
    to authenticated
    using (user_id = (select auth.uid()));

create function public.companion_start_conversation(intent text)
    returns text
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
begin
    -- One pending question per user: a new one replaces the old.
    delete from public.companion_conversations as c
    where c.user_id = (select auth.uid());
    insert into public.companion_conversations (intent)
    values (companion_start_conversation.intent);
    return companion_start_conversation.intent;
end;
$$;

comment on function public.companion_start_conversation(text) is
    'Companion bot: remember that the caller''s next message is to be filed as `intent` '
    '(bug, feedback or feature_request). Replaces any pending conversation of the caller.';

create function public.companion_take_conversation()
    returns text
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    taken public.companion_conversations;
begin
    -- Taking is deleting, so two workers never file the same answer twice.
    delete from public.companion_conversations as c
    where c.user_id = (select auth.uid())
    returning c.* into taken;
    if taken.started_at > now() - interval '15 minutes' then
        return taken.intent;
    end if;
    return null;
end;
$$;

comment on function public.companion_take_conversation() is
    'Companion bot: end the caller''s pending conversation and return its intent, or null '
    'when there is none or it started more than 15 minutes ago.';

-- Called as the user only (the bot's minted JWT): service_role has no user to act for.
revoke all on function public.companion_start_conversation(text) from public, anon, service_role;
revoke all on function public.companion_take_conversation() from public, anon, service_role;
grant execute on function public.companion_start_conversation(text) to authenticated;
grant execute on function public.companion_take_conversation() to authenticated;
