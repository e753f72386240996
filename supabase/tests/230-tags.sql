-- Tags from each actor's side: staff tag tickets and feedback through the RPCs, one internal
-- history event per change; the list and the setting are admins'; users never see tags.
begin;
select plan(26);

select tests.create_supabase_user('owner');
select tests.create_supabase_user('other');
select tests.create_supabase_user('agent');
select tests.create_supabase_user('admin');
insert into public.support_staff (user_id, role, display_name) values
    (tests.get_supabase_uid('agent'), 'agent', 'Agent Tag'),
    (tests.get_supabase_uid('admin'), 'admin', 'Admin Tag');
insert into public.support_tickets (id, user_id, ticket_type, subject, description) values
    ('23a00000-0000-4000-8000-000000000001', tests.get_supabase_uid('owner'), 'billing', 'Charged twice', 'Twice');
insert into public.user_feedback (id, user_id, category, description) values
    ('23a00000-0000-4000-8000-0000000000f1', tests.get_supabase_uid('owner'), 'praise', 'Nice');
delete from public.tags;
insert into public.tags (name, label) values ('refund', 'Refund'), ('vip', 'VIP');

-- The code a client reads: the refusal's own (a JSON message), else the SQLSTATE.
create function pg_temp.refusal(statement text) returns text language sql as $$
    select case when e ->> 'message' like '{%' then (e ->> 'message')::jsonb ->> 'code' else e ->> 'code' end
    from tests.error_of(statement) as e
$$;

-- agent
select tests.authenticate_as('agent');
select is(
    public.support_tag_ticket('{"ticket_id": "23a00000-0000-4000-8000-000000000001", "add": ["refund", "ios-17"]}')::jsonb -> 'tags',
    '["ios-17", "refund"]'::jsonb,
    'an agent adds tags to a ticket, free tags included when the setting allows them'
);
select is(
    public.support_tag_ticket('{"ticket_id": "23a00000-0000-4000-8000-000000000001", "add": ["refund"], "remove": ["ios-17"]}')::jsonb -> 'tags',
    '["refund"]'::jsonb,
    'removing a tag and adding one already there leaves the rest as it was'
);
select is(
    (select array_agg((e ->> 'kind') || ':' || coalesce(e ->> 'from', '') || '>' || coalesce(e ->> 'to', ''))
     from jsonb_array_elements(public.support_ticket('23a00000-0000-4000-8000-000000000001')::jsonb -> 'events') as e
     where e ->> 'kind' like 'tag%'),
    array['tag_added:>refund', 'tag_added:>ios-17', 'tag_removed:ios-17>'],
    'each tag added or removed is one history event, and a tag already there makes none'
);
select ok(
    (select bool_and((e ->> 'internal')::boolean and (e ->> 'actor_id')::uuid = tests.get_supabase_uid('agent')
                     and e ->> 'actor_kind' = 'agent')
     from jsonb_array_elements(public.support_ticket('23a00000-0000-4000-8000-000000000001')::jsonb -> 'events') as e
     where e ->> 'kind' like 'tag%'),
    'tag events are internal and name the agent'
);
select is(
    public.support_ticket('23a00000-0000-4000-8000-000000000001')::jsonb -> 'tags', '["refund"]'::jsonb,
    'support_ticket shows the ticket''s tags'
);
select is(
    pg_temp.refusal($$select public.support_tag_ticket('{"ticket_id": "23a00000-0000-4000-8000-000000000001", "add": ["Not A Tag"]}')$$),
    '23514',
    'a tag of the wrong form is refused'
);
select is(
    tests.error_of($$select public.support_tag_ticket('{"ticket_id": "23a00000-0000-4000-8000-000000000001", "add": ["Not A Tag"]}')$$) ->> 'message',
    'tags must be lower-case letters, digits, - and _, starting with a letter or digit, at most 40 characters',
    'the refusal of a badly formed tag says the rule and does not quote the tag'
);
select is(
    pg_temp.refusal($$select public.support_tag_ticket('{"ticket_id": "23a00000-0000-4000-8000-000000000001"}')$$),
    'tags_nothing_to_do',
    'a tagging request without add or remove is refused'
);
select is(
    pg_temp.refusal($$select public.support_tag_ticket('{"ticket_id": "23a00000-0000-4000-8000-0000000000ff", "add": ["vip"]}')$$),
    'P0002',
    'tagging a missing ticket is a 404'
);
select is(
    public.support_tag_feedback('{"feedback_id": "23a00000-0000-4000-8000-0000000000f1", "add": ["vip"]}')::jsonb -> 'tags',
    '["vip"]'::jsonb,
    'an agent tags feedback'
);
select is(
    (select array_agg(e ->> 'kind') from jsonb_array_elements(public.support_feedback('23a00000-0000-4000-8000-0000000000f1')::jsonb -> 'events') as e),
    array['tag_added'],
    'tagging feedback is one event in its history'
);
select is(
    pg_temp.refusal($$insert into public.tags (name, label) values ('sneaky', 'Sneaky')$$),
    '42501',
    'an agent cannot add to the tag list'
);
update public.tag_settings set tags_from_list = true;
select is((select tags_from_list from public.tag_settings), false, 'an agent cannot change the tag setting');

-- admin: the list and the setting
select tests.authenticate_as('admin');
select lives_ok(
    $$insert into public.tags (name, label, description) values ('outage', 'Outage', 'A known incident')$$,
    'an admin adds a tag to the list'
);
update public.tag_settings set tags_from_list = true;
select is(
    pg_temp.refusal($$select public.support_tag_ticket('{"ticket_id": "23a00000-0000-4000-8000-000000000001", "add": ["unlisted"]}')$$),
    'tag_not_listed',
    'with tags from the list only, a tag that is not on the list is refused'
);
select is(
    public.support_tag_ticket('{"ticket_id": "23a00000-0000-4000-8000-000000000001", "add": ["outage"]}')::jsonb -> 'tags',
    '["outage", "refund"]'::jsonb,
    'with tags from the list only, a listed tag is added'
);
reset role;
select is(
    (select count(*)::integer from private.audit_log where table_name in ('public.tags', 'public.tag_settings')
       and actor_id = tests.get_supabase_uid('admin')),
    2,
    'changes to the tag list and the setting are in the audit log'
);

-- owner and another user
select tests.authenticate_as('owner');
select is_empty($$select * from public.tags$$, 'a user does not read the tag list');
select throws_ok($$select * from public.ticket_tags$$, '42501', null, 'a user does not read ticket tags');
select is_empty(
    $$select id from public.ticket_events where kind like 'tag%'$$,
    'the owner does not see tag events in the history of their ticket'
);
select is_empty(
    $$select id from public.feedback_events where kind like 'tag%'$$,
    'the owner does not see tag events in the history of their feedback'
);
select is(
    pg_temp.refusal($$select public.support_tag_ticket('{"ticket_id": "23a00000-0000-4000-8000-000000000001", "add": ["vip"]}')$$),
    '42501',
    'a user cannot tag a ticket, even their own'
);

select tests.authenticate_as('other');
select is(
    pg_temp.refusal($$select public.support_tag_feedback('{"feedback_id": "23a00000-0000-4000-8000-0000000000f1", "remove": ["vip"]}')$$),
    '42501',
    'another user cannot untag someone else''s feedback'
);
select throws_ok($$select tag from public.feedback_tags$$, '42501', null, 'another user does not read feedback tags');

-- anon and service_role
select tests.clear_authentication();
select throws_ok(
    $$select public.support_tag_ticket('{"ticket_id": "23a00000-0000-4000-8000-000000000001", "add": ["vip"]}')$$,
    '42501', null, 'anon cannot call the tagging RPCs'
);
select tests.authenticate_as_service_role();
select throws_ok(
    $$select public.support_tag_ticket('{"ticket_id": "23a00000-0000-4000-8000-000000000001", "add": ["vip"]}')$$,
    '42501', null, 'service_role cannot call the tagging RPCs (it is nobody); it works on the tables'
);

select * from finish();
rollback;
