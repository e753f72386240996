-- Webhook endpoints: URLs an admin registers to hear of notifications of one kind.
--
-- Why: the companion bot (and any other receiver) learns of a reply or a resolution as it
-- happens, to tell the user in their chat. support-worker posts each notification to every
-- enabled endpoint of its kind, signed per the Standard Webhooks spec with the endpoint's
-- secret (whsec_ + base64), and retries like an email. Admins only: the secrets are here.

create table public.webhook_endpoints (
    id bigint generated always as identity primary key,
    url text not null,
    kind text not null references public.notification_kinds (kind) on delete cascade,
    secret text not null default 'whsec_' || pg_catalog.encode(extensions.gen_random_bytes(24), 'base64'),
    enabled boolean not null default true,
    created_at timestamptz not null default now(),
    constraint webhook_endpoints_url_valid check (url ~ '^https?://[^[:space:]]+$'),
    constraint webhook_endpoints_url_max_length check (char_length(url) <= 2048),
    constraint webhook_endpoints_secret_format check (secret ~ '^whsec_[A-Za-z0-9+/]{32,}={0,2}$'),
    constraint webhook_endpoints_url_kind_unique unique (url, kind)
);

comment on table public.webhook_endpoints is
    'Where notifications are posted as signed webhooks (Standard Webhooks), per notification kind. '
    'The receiver verifies each request with the secret.';
comment on column public.webhook_endpoints.secret is
    'The signing secret (whsec_ + base64 of at least 24 random bytes); give it to the receiver.';
comment on constraint webhook_endpoints_url_valid on public.webhook_endpoints is
    'url must be an http:// or https:// URL without spaces';
comment on constraint webhook_endpoints_url_max_length on public.webhook_endpoints is
    'url must be at most 2048 characters';
comment on constraint webhook_endpoints_secret_format on public.webhook_endpoints is
    'secret must be whsec_ followed by the base64 of at least 24 bytes';
comment on constraint webhook_endpoints_url_kind_unique on public.webhook_endpoints is
    'this url is already registered for this kind';

create index webhook_endpoints_kind_idx on public.webhook_endpoints (kind) where enabled;

alter table public.webhook_endpoints enable row level security;
revoke all on table public.webhook_endpoints from anon, authenticated, service_role;
grant select, delete on table public.webhook_endpoints to authenticated;
grant insert (url, kind, secret, enabled), update (url, secret, enabled)
    on table public.webhook_endpoints to authenticated;

create policy "admins read webhook endpoints"
    on public.webhook_endpoints for select to authenticated
    using ((select private.is_admin()));
create policy "admins register webhook endpoints"
    on public.webhook_endpoints for insert to authenticated
    with check ((select private.is_admin()));
create policy "admins change webhook endpoints"
    on public.webhook_endpoints for update to authenticated
    using ((select private.is_admin())) with check ((select private.is_admin()));
create policy "admins remove webhook endpoints"
    on public.webhook_endpoints for delete to authenticated
    using ((select private.is_admin()));
