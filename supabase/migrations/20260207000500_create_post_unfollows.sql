-- Unfollowing a public post: a voter who no longer wants to hear of one post (issue 29).
--
-- Why: voters and the authors of merged entries are told when a post moves (20260207000600);
-- someone who wants to keep their vote but not the news of that one post unfollows it, from the
-- app (POST /rest/v1/rpc/unfollow_post {post_id}) or with the one-click link of the email
-- (GET/POST /api/notifications/unfollow?token=, which calls unfollow_post as them). A row of
-- public.post_unfollows means "tell me nothing of this post"; follow_post removes it. Users read
-- and write only their own rows; the fan-out and the worker read them (definer functions).

-- squawk: First release: nothing is deployed yet, so the table this file creates is empty.
-- squawk-ignore-file require-concurrent-index-creation

create table public.post_unfollows (
    post_id uuid not null references public.feedback_posts (id) on delete cascade,
    user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
    created_at timestamptz not null default now(),
    primary key (post_id, user_id)
);

comment on table public.post_unfollows is
    'Posts a user unfollowed: they hear nothing when that post moves (their vote stays). '
    'unfollow_post and follow_post write it; users read their own rows.';

create index post_unfollows_user_id_idx on public.post_unfollows (user_id);

alter table public.post_unfollows enable row level security;
revoke all on table public.post_unfollows from anon, authenticated, service_role;
grant select, delete on table public.post_unfollows to authenticated;
grant insert (post_id) on table public.post_unfollows to authenticated;
grant select on table public.post_unfollows to service_role;

create policy "users read the posts they unfollowed"
    on public.post_unfollows for select to authenticated
    using (user_id = (select auth.uid()));
create policy "users unfollow posts for themselves"
    on public.post_unfollows for insert to authenticated
    with check (user_id = (select auth.uid()));
create policy "users follow posts again"
    on public.post_unfollows for delete to authenticated
    using (user_id = (select auth.uid()));

insert into private.table_registry (table_name, configuration, secret_columns, note) values
    ('public.post_unfollows', false, '{}', 'user data: the public posts a user does not want news of');
update private.table_registry set erasure = 'delete', erasure_order = 10,
    person_columns = '{user_id}', erasure_rows = 'user_id = $1'
where table_name = 'public.post_unfollows';

create function private.set_following(body jsonb, following boolean)
    returns json
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    post uuid;
begin
    perform private.check_request_body(body, '{"post_id": "string"}');
    post := private.uuid_param(body ->> 'post_id', 'post_id');
    if not exists (select 1 from public.feedback_posts as p where p.id = post) then
        perform private.refuse('post_not_found');
    end if;
    if following then
        delete from public.post_unfollows as u where u.post_id = post and u.user_id = (select auth.uid());
    else
        insert into public.post_unfollows (post_id) values (post) on conflict do nothing;
    end if;
    return pg_catalog.json_build_object('post_id', post, 'following', following);
end;
$$;

comment on function private.set_following(jsonb, boolean) is
    'unfollow_post and follow_post: the caller''s row of post_unfollows for one existing post.';
revoke all on function private.set_following(jsonb, boolean) from public;
grant execute on function private.set_following(jsonb, boolean) to authenticated;

create function public.unfollow_post(jsonb)
    returns json
    language sql
    volatile
    security invoker
    set search_path = ''
as $$
    select private.set_following($1, false);
$$;

comment on function public.unfollow_post(jsonb) is
    'Signed-in users. Body: {post_id}: you hear nothing more when this post moves (your vote '
    'stays). Again: nothing changes. Returns {post_id, following: false}. 404 for a missing post. '
    'The one-click link of a post''s email calls it for you.';
revoke all on function public.unfollow_post(jsonb) from public, anon, authenticated, service_role;
grant execute on function public.unfollow_post(jsonb) to authenticated;

create function public.follow_post(jsonb)
    returns json
    language sql
    volatile
    security invoker
    set search_path = ''
as $$
    select private.set_following($1, true);
$$;

comment on function public.follow_post(jsonb) is
    'Signed-in users. Body: {post_id}: you are told again when this post moves (if you vote for '
    'it or wrote an entry it gathers). Returns {post_id, following: true}. 404 for a missing post.';
revoke all on function public.follow_post(jsonb) from public, anon, authenticated, service_role;
grant execute on function public.follow_post(jsonb) to authenticated;
