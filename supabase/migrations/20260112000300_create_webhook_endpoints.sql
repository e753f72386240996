-- Webhook endpoints: URLs an admin registers to hear of notifications of one kind.
--
-- Why: the companion bot (and any other receiver) learns of a reply or a resolution as it
-- happens, to tell the user in their chat. support-worker posts each notification to every
-- enabled endpoint of its kind, signed per the Standard Webhooks spec with the endpoint's
-- secret (whsec_ + base64), and retries like an email. Admins only: the secrets are here.
-- A URL must be https:// and name a public host: the worker posts from inside the network, so
-- an endpoint on a loopback, private, link-local, unique-local, multicast or unspecified address
-- (or a host spelled as a decimal, hexadecimal or octal number, or an IPv4-mapped IPv6 address,
-- which some resolvers read as one of those) would be a request forged from the worker's host.
-- A trigger refuses such a URL with a 400 naming the rule; the worker checks again after DNS
-- resolution. private.webhook_settings.local_development, for a local stack only, lets an
-- endpoint be a loopback receiver over http://.

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

insert into public.support_messages (topic, status, code, message, hint) values
    ('webhook_url_scheme', 400, 'webhook_url_scheme',
        'url must be an https:// URL without spaces or control characters', 'Register an https:// endpoint on the public internet.'),
    ('webhook_url_too_long', 400, 'webhook_url_too_long', 'url must be at most 2048 characters',
        'Register an https:// endpoint on the public internet.'),
    ('webhook_url_host', 400, 'webhook_url_host', 'url''s host must be a DNS name, a dotted-decimal '
        'IPv4 address or a bracketed IPv6 address (no decimal, hexadecimal or octal numbers, no '
        'IPv4-mapped IPv6)', 'Register an https:// endpoint on the public internet.'),
    ('webhook_url_internal_address', 400, 'webhook_url_internal_address', 'url must point to a '
        'public address: loopback, private, link-local, unique-local, multicast and unspecified '
        'addresses are refused', 'Register an https:// endpoint on the public internet.');

create table private.webhook_settings (
    only_row boolean primary key default true,
    local_development boolean not null default false,
    constraint webhook_settings_only_row_true check (only_row)
);

comment on table private.webhook_settings is
    'How webhook URLs are checked. One row; change it with SQL as the database owner.';
comment on column private.webhook_settings.local_development is
    'True on a local stack only (supabase/seed.sql sets it): endpoints may also be loopback '
    'receivers (localhost, 127.0.0.0/8, ::1), over http:// or https://. Never true on a project '
    'the internet reaches.';
comment on constraint webhook_settings_only_row_true on private.webhook_settings is
    'webhook_settings holds one row';

insert into private.webhook_settings default values;
alter table private.webhook_settings enable row level security;
revoke all on table private.webhook_settings from anon, authenticated, service_role;

-- The address classes a receiver may not be in, with the one a local stack may allow.
create function private.webhook_url_refusal(url text, local_development boolean)
    returns text
    language plpgsql
    immutable
    parallel safe
    set search_path = ''
as $$
declare
    octet constant text := '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
    label constant text := '[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?';
    host text;
    address inet;
    loopback boolean;
begin
    if pg_catalog.char_length(url) > 2048 then
        return 'webhook_url_too_long';
    end if;
    if url !~* '^https?://[^/?#]' or url ~ '[[:space:][:cntrl:]]' then
        return 'webhook_url_scheme';
    end if;
    -- The authority, without the user information and the port. Browsers read a backslash
    -- there as a slash, other parsers as part of the user information: neither is allowed.
    host := pg_catalog.lower(pg_catalog.substring(url, '^[A-Za-z]+://([^/?#]*)'));
    if pg_catalog.strpos(host, chr(92)) > 0 then
        return 'webhook_url_host';
    end if;
    host := pg_catalog.regexp_replace(host, '^.*@', '');
    if host ~ '^\[' then
        begin
            address := pg_catalog.substring(host, '^\[([0-9a-f:.]+)\](:[0-9]{1,5})?$')::inet;
        exception when invalid_text_representation then
            return 'webhook_url_host';
        end;
        if address is null or pg_catalog.family(address) <> 6
            or address <<= '::ffff:0.0.0.0/96' or (address <<= '::/96' and address > '::1') then
            return 'webhook_url_host';
        end if;
    else
        host := pg_catalog.regexp_replace(host, ':[0-9]{1,5}$', '');
        -- A trailing dot names the same host ("localhost." is localhost).
        host := pg_catalog.rtrim(host, '.');
        if host !~ ('^' || label || '(\.' || label || ')*$') then
            return 'webhook_url_host';
        end if;
        -- As browsers read URLs (WHATWG), a host whose last label is a number is an IPv4
        -- address in any of its forms (2130706433, 0x7f000001, 0177.1): only the plain form
        -- passes.
        if host ~ '(^|\.)(0x[0-9a-f]*|[0-9]+)$' then
            if host !~ ('^' || octet || '(\.' || octet || '){3}$') then
                return 'webhook_url_host';
            end if;
            address := host::inet;
        elsif host = 'localhost' or host like '%.localhost' then
            address := '127.0.0.1';
        end if;
    end if;

    if address is not null then
        loopback := address <<= '127.0.0.0/8' or address = '::1';
        if loopback and local_development then
            return null;
        end if;
        if loopback
            or address <<= '0.0.0.0/8' or address = '::'                      -- unspecified
            or address <<= '10.0.0.0/8' or address <<= '172.16.0.0/12'
            or address <<= '192.168.0.0/16' or address <<= '100.64.0.0/10'   -- private, shared
            or address <<= '169.254.0.0/16' or address <<= 'fe80::/10'       -- link-local
            or address <<= 'fc00::/7'                                        -- unique-local
            or address <<= '224.0.0.0/4' or address <<= 'ff00::/8'           -- multicast
            or address <<= '240.0.0.0/4' then                                -- reserved, broadcast
            return 'webhook_url_internal_address';
        end if;
    end if;
    if url !~* '^https://' then
        return 'webhook_url_scheme';
    end if;
    return null;
end;
$$;

comment on function private.webhook_url_refusal(text, boolean) is
    'Why a webhook URL is refused, as a support_messages topic (webhook_url_*), or null when it '
    'is an https:// URL of a public host (or, with local_development, of a loopback receiver).';
revoke all on function private.webhook_url_refusal(text, boolean) from public;

-- Security definer: the setting is the database owner's, out of reach of the admins whose URL
-- it judges. It reads that one row and changes nothing.
create function private.check_webhook_url()
    returns trigger
    language plpgsql
    security definer
    set search_path = ''
as $$
declare
    topic text := private.webhook_url_refusal(
        new.url,
        coalesce((select s.local_development from private.webhook_settings as s), false)
    );
begin
    if topic is not null then
        perform private.refuse(topic);
    end if;
    return new;
end;
$$;

comment on function private.check_webhook_url() is
    'Before a webhook endpoint is registered or changed: refuses a URL that is not https:// on a '
    'public host (private.webhook_url_refusal) with a 400 and the rule''s message.';
revoke all on function private.check_webhook_url() from public;

create trigger webhook_endpoints_check_url
    before insert or update of url on public.webhook_endpoints
    for each row
    execute function private.check_webhook_url();

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
