-- Support admins change the rate limits from the API (or the dashboard to come).
--
-- Why: the limits are rows so that support can change them without a migration; until now
-- only service_role and postgres could. Admins (public.support_staff, role admin) may now
-- change max_per_hour and the description of an existing kind; kinds stay fixed by the
-- table's constraint. Everyone else's update matches no row.

grant update (max_per_hour, description) on table public.rate_limits to authenticated;

create policy "admins change rate limits"
    on public.rate_limits
    for update
    to authenticated
    using ((select private.is_admin()))
    with check ((select private.is_admin()));
