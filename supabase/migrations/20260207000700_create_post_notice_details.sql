-- What support-worker delivers for a post_status notification (20260207000600).
--
-- Why: the queue message names a notice (ids only); at delivery time the worker needs the post's
-- title and the statuses' words, the recipient's address, and whether they still want it (they
-- may have turned post_status off or unfollowed the post since it was queued). Like
-- private.notification_details for ticket events, a definer function executable by the worker's
-- role alone, for exactly the notices it read.

-- Security definer: returns, for the given notices only, the recipient's address (auth.users,
-- which no API role reads) and preference, the post's title and the statuses' labels.
create function private.post_notice_details(notice_ids bigint[])
    returns table (
        notice_id bigint,
        kind text,
        label text,
        post_id uuid,
        title text,
        from_status text,
        to_status text,
        from_label text,
        to_label text,
        recipient_id uuid,
        recipient_email text,
        wanted boolean,
        occurred_at timestamptz
    )
    language plpgsql
    stable
    security definer
    set search_path = ''
as $$
begin
    return query
    select n.id, k.kind, k.label, p.id, p.title, n.from_status, n.to_status, fs.label, ts.label,
        n.user_id, u.email::text,
        coalesce(np.email, true) and not exists (
            select 1 from public.post_unfollows as f where f.post_id = n.post_id and f.user_id = n.user_id),
        n.notified_at
    from private.post_status_notices as n
    join public.feedback_posts as p on p.id = n.post_id
    join auth.users as u on u.id = n.user_id
    join public.notification_kinds as k on k.kind = 'post_status'
    left join public.feedback_statuses as fs on fs.code = n.from_status
    left join public.feedback_statuses as ts on ts.code = n.to_status
    left join public.notification_preferences as np on np.user_id = n.user_id and np.kind = k.kind
    where n.id = any (notice_ids)
    order by n.id;
end;
$$;

comment on function private.post_notice_details(bigint[]) is
    'support-worker only: what to deliver for these post_status notices (post title, statuses '
    'and their labels, recipient address, and wanted: false once they turned post_status off or '
    'unfollowed the post). A notice of a deleted post or user returns nothing.';
revoke all on function private.post_notice_details(bigint[]) from public;
grant execute on function private.post_notice_details(bigint[]) to support_worker;
