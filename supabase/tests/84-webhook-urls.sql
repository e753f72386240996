-- Webhook URLs: an endpoint must be https:// on a public host, so that the worker never posts
-- inside its own network; a local stack (private.webhook_settings.local_development) may
-- register a loopback receiver. Refusals are a 400 with the rule's message.
begin;
select plan(37);

select tests.create_supabase_user('admin');
insert into public.support_staff (user_id, role, display_name) values
    (tests.get_supabase_uid('admin'), 'admin', 'Ada Admin');

create function pg_temp.refusal(url text) returns text language sql as $$
    select (tests.error_of(format(
        'insert into public.webhook_endpoints (url, kind) values (%L, %L)', url, 'reply'))
        ->> 'message')::jsonb ->> 'message'
$$;
create function pg_temp.status(url text) returns text language sql as $$
    select (tests.error_of(format(
        'insert into public.webhook_endpoints (url, kind) values (%L, %L)', url, 'reply'))
        ->> 'detail')::jsonb ->> 'status'
$$;

-- Outside local development (a hosted project).
update private.webhook_settings set local_development = false;
select tests.authenticate_as('admin');

select lives_ok($$insert into public.webhook_endpoints (url, kind) values ('https://bot.example/hook', 'reply')$$,
    'an https URL of a public host is registered');
select lives_ok($$insert into public.webhook_endpoints (url, kind) values ('https://93.184.215.14:8443/hook', 'reply')$$,
    'an https URL of a public IPv4 address with a port is registered');
select lives_ok($$insert into public.webhook_endpoints (url, kind) values ('https://[2606:4700::1111]/hook', 'reply')$$,
    'an https URL of a public IPv6 address is registered');
select is(pg_temp.status('http://127.0.0.1:8080/hook'), '400', 'a refused URL is a 400');

select is(pg_temp.refusal(u), 'url must be an https:// URL without spaces or control characters',
    format('%s is refused: https only outside local development', pg_catalog.regexp_replace(u, '[[:cntrl:]]', '?', 'g')))
from unnest(array['http://bot.example/hook', 'file:///etc/passwd', 'gopher://bot.example/',
                  'https://bot.example/a b', e'https://bot.example/\r\nx']) as u;

select is(pg_temp.refusal(u), 'url must point to a public address: loopback, private, link-local, unique-local, multicast and unspecified addresses are refused',
    format('%s is refused: it points inside the network', u))
from unnest(array['https://127.0.0.1:5432/', 'https://localhost:5432/', 'https://LOCALHOST./',
                  'https://api.localhost/', 'https://[::1]/', 'https://169.254.169.254/latest/meta-data/',
                  'https://10.0.0.7/', 'https://172.16.5.4/', 'https://192.168.1.1/', 'https://0.0.0.0/',
                  'https://[::]/', 'https://[fe80::1]/', 'https://[fd00::1]/', 'https://224.0.0.1/',
                  'https://[ff02::1]/', 'https://user:pw@127.0.0.1/']) as u;

select is(pg_temp.refusal(u), 'url''s host must be a DNS name, a dotted-decimal IPv4 address or a bracketed IPv6 address (no decimal, hexadecimal or octal numbers, no IPv4-mapped IPv6)',
    format('%s is refused: a numeric trick or an odd host', u))
from unnest(array['https://0x7f000001/', 'https://2130706433/', 'https://0177.0.0.1/', 'https://127.1/',
                  'https://[::ffff:127.0.0.1]/', 'https://%31%32%37.0.0.1/', e'https://127.0.0.1\\@bot.example/']) as u;

select is(pg_temp.refusal('https://bot.example/' || repeat('a', 2100)), 'url must be at most 2048 characters',
    'a URL over 2048 characters is refused with its rule''s message');

-- A URL changed later is checked again.
select is((tests.error_of($$update public.webhook_endpoints set url = 'https://127.0.0.1/' where url = 'https://bot.example/hook'$$) ->> 'message')::jsonb ->> 'message',
    'url must point to a public address: loopback, private, link-local, unique-local, multicast and unspecified addresses are refused',
    'an endpoint cannot be moved onto an internal address');

-- On a local stack: loopback receivers, over http:// too; nothing else inside the network.
reset role;
update private.webhook_settings set local_development = true;
select tests.authenticate_as('admin');
select lives_ok($$insert into public.webhook_endpoints (url, kind) values ('http://127.0.0.1:8080/hook', 'reply')$$,
    'in local development a loopback receiver over http:// is registered');
select is(pg_temp.refusal('http://10.0.0.7/'), 'url must point to a public address: loopback, private, link-local, unique-local, multicast and unspecified addresses are refused',
    'in local development a private address is still refused');
select throws_ok($$update private.webhook_settings set local_development = false$$, '42501', null,
    'an admin cannot change the webhook settings');

select * from finish();
rollback;
