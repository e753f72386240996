-- Custom fields from each actor's side: admins define them; a user gives the user-visible ones
-- when filing (required ones enforced for the ticket's type); values are checked against the
-- definition, refusals naming the field and never the value; staff-only values never reach
-- the user on any read; staff set values, one history event per change.
begin;
select plan(35);

select tests.create_supabase_user('owner');
select tests.create_supabase_user('other');
select tests.create_supabase_user('agent');
select tests.create_supabase_user('admin');
insert into public.support_staff (user_id, role, display_name) values
    (tests.get_supabase_uid('agent'), 'agent', 'Agent Field'),
    (tests.get_supabase_uid('admin'), 'admin', 'Admin Field');
delete from public.custom_fields;

create function pg_temp.refusal(statement text) returns text language sql as $$
    select case when e ->> 'message' like '{%' then (e ->> 'message')::jsonb ->> 'code' else e ->> 'code' end
    from tests.error_of(statement) as e
$$;
create function pg_temp.message(statement text) returns text language sql as $$
    select case when e ->> 'message' like '{%' then (e ->> 'message')::jsonb ->> 'message' else e ->> 'message' end
    from tests.error_of(statement) as e
$$;

-- admin defines the fields
select tests.authenticate_as('admin');
select lives_ok($$
    insert into public.custom_fields (key, label, field_type, options, ticket_type, required, visible_to_user, position) values
        ('plan', 'Plan', 'one_of', '["free", "pro", "team"]', 'billing', true, true, 1),
        ('order_number', 'Order number', 'text', null, 'billing', false, true, 2),
        ('refund_amount', 'Refund amount', 'number', null, null, false, false, 3),
        ('platforms', 'Platforms', 'many_of', '["ios", "android", "web"]', null, false, true, 4),
        ('seen_on', 'Seen on', 'date', null, null, false, true, 5),
        ('churn_risk', 'Churn risk', 'checkbox', null, null, false, false, 6)$$,
    'an admin defines custom fields of each type'
);
select is(
    tests.error_of($$insert into public.custom_fields (key, label, field_type) values ('size', 'Size', 'one_of')$$) ->> 'constraint',
    'custom_fields_options_for_choices',
    'a choice field without options is refused with the rule'
);
select is(
    tests.error_of($$insert into public.custom_fields (key, label, field_type) values ('size', 'Size', 'colour')$$) ->> 'code',
    '23514',
    'a field type outside the vocabulary is refused as a check violation (400), not a foreign key error quoting it'
);
select is(
    tests.error_of($$insert into public.custom_fields (key, label, field_type, required, visible_to_user) values ('x', 'X', 'text', true, false)$$) ->> 'constraint',
    'custom_fields_required_visible_to_user',
    'a required staff-only field is refused'
);

-- agent cannot define fields
select tests.authenticate_as('agent');
select is(
    pg_temp.refusal($$insert into public.custom_fields (key, label, field_type) values ('agent_field', 'A', 'text')$$),
    '42501',
    'an agent cannot define a field'
);
select is(
    (select count(*)::integer from public.custom_fields), 6,
    'an agent reads every definition, staff-only ones included'
);

-- owner files with fields
select tests.authenticate_as('owner');
select is(
    (select array_agg(key order by position) from public.custom_fields),
    array['plan', 'order_number', 'platforms', 'seen_on'],
    'a user reads only the definitions of user-visible fields'
);
select is(
    pg_temp.refusal($$select public.create_support_ticket('{"ticket_type": "billing", "subject": "Charge", "description": "Charged"}')$$),
    'custom_field_required',
    'a required field of the type missing at create is refused'
);
select is(
    pg_temp.message($$select public.create_support_ticket('{"ticket_type": "billing", "subject": "Charge", "description": "Charged", "fields": {"plan": "platinum-secret"}}')$$),
    'fields.plan must be one of its options',
    'an option outside the definition is refused naming the field, not the value'
);
select is(
    pg_temp.message($$select public.create_support_ticket('{"ticket_type": "billing", "subject": "Charge", "description": "Charged", "fields": {"plan": "pro", "platforms": "ios"}}')$$),
    'fields.platforms must be a list of its options',
    'a value of the wrong type is refused naming the field'
);
select is(
    pg_temp.message($$select public.create_support_ticket('{"ticket_type": "billing", "subject": "Charge", "description": "Charged", "fields": {"plan": "pro", "seen_on": "2026-02-30"}}')$$),
    'fields.seen_on must be a date (YYYY-MM-DD)',
    'an impossible date is refused naming the field'
);
select is(
    pg_temp.refusal($$select public.create_support_ticket('{"ticket_type": "billing", "subject": "Charge", "description": "Charged", "fields": {"plan": "pro", "refund_amount": 10}}')$$),
    'custom_field_unknown',
    'a user cannot set a staff-only field when filing'
);
select is(
    pg_temp.refusal($$select public.create_support_ticket('{"ticket_type": "account", "subject": "Locked", "description": "Locked", "fields": {"order_number": "A1"}}')$$),
    'custom_field_unknown',
    'a field of another ticket type is refused'
);
select is(
    pg_temp.refusal($$select public.create_support_ticket('{"ticket_type": "billing", "subject": "Charge", "description": "Charged", "fields": ["plan"]}')$$),
    '22023',
    'fields must be an object'
);
select is(
    (select count(*)::integer from public.support_tickets where user_id = tests.get_supabase_uid('owner')), 0,
    'a refused field files no ticket'
);
select is(
    pg_temp.refusal($$insert into public.support_tickets (ticket_type, subject, description) values ('billing', 'Direct', 'Direct')$$),
    'custom_field_required',
    'a direct insert of a ticket whose type has a required field is refused too'
);
select lives_ok(
    $$insert into public.support_tickets (ticket_type, subject, description) values ('account', 'Direct', 'Direct')$$,
    'a direct insert of a type without required fields still files'
);
create temporary table filed as select public.create_support_ticket(
    '{"ticket_type": "billing", "subject": "Charge", "description": "Charged", "fields": {"plan": "pro", "order_number": "A-1", "platforms": ["ios", "web"], "seen_on": "2026-01-31"}}'
)::jsonb as answer;
grant select on filed to authenticated, service_role;
select is(
    public.get_ticket((select answer ->> 'ticket_id' from filed))::jsonb -> 'fields',
    '{"plan": "pro", "order_number": "A-1", "platforms": ["ios", "web"], "seen_on": "2026-01-31"}'::jsonb,
    'the user files with user-visible fields and reads them back in get_ticket'
);
select lives_ok(
    $$select public.report_bug('{"description": "Crash", "fields": {"platforms": ["android"]}}')$$,
    'report_bug takes the fields of bugs (not billing''s required plan)'
);

-- agent sets fields, staff-only ones included
select tests.authenticate_as('agent');
select is(
    public.support_set_ticket_fields(jsonb_build_object('ticket_id', (select answer ->> 'ticket_id' from filed),
        'fields', '{"refund_amount": 12.5, "churn_risk": true, "order_number": null}'::jsonb))::jsonb -> 'fields',
    '{"plan": "pro", "refund_amount": 12.5, "platforms": ["ios", "web"], "seen_on": "2026-01-31", "churn_risk": true}'::jsonb,
    'an agent sets staff-only fields and clears one with null'
);
select is(
    (select count(*)::integer
     from jsonb_array_elements(public.support_ticket((select answer ->> 'ticket_id' from filed))::jsonb -> 'events') as e
     where e ->> 'kind' in ('field', 'staff_field')),
    7,
    'each field set at filing and each change by staff is one history event'
);
select is(
    pg_temp.message(format($$select public.support_set_ticket_fields('{"ticket_id": "%s", "fields": {"refund_amount": "a lot"}}')$$,
        (select answer ->> 'ticket_id' from filed))),
    'fields.refund_amount must be a number',
    'a staff value of the wrong type is refused naming the field'
);
select is(
    pg_temp.refusal(format($$select public.support_set_ticket_fields('{"ticket_id": "%s", "fields": {"plan": null}}')$$,
        (select answer ->> 'ticket_id' from filed))),
    'custom_field_required',
    'a required field cannot be cleared'
);
select is(
    pg_temp.refusal(format($$select public.support_set_ticket_fields('{"ticket_id": "%s", "fields": {"plan": "team"}, "expected_updated_at": "2020-01-01T00:00:00Z"}')$$,
        (select answer ->> 'ticket_id' from filed))),
    'ticket_changed',
    'a stale expected_updated_at is a 409'
);
select is(
    public.support_ticket((select answer ->> 'ticket_id' from filed))::jsonb -> 'fields' -> 'refund_amount',
    '12.5'::jsonb,
    'support_ticket shows staff-only fields to staff'
);
select is(
    (select count(*)::integer from public.ticket_field_values), 0,
    'staff read values through support_ticket, not the table'
);

-- the owner never sees staff-only values, on any read
select tests.authenticate_as('owner');
select is(
    public.get_ticket((select answer ->> 'ticket_id' from filed))::jsonb -> 'fields',
    '{"plan": "pro", "platforms": ["ios", "web"], "seen_on": "2026-01-31"}'::jsonb,
    'get_ticket shows the owner only user-visible fields'
);
select is(
    (select array_agg(field_key order by field_key) from public.ticket_field_values),
    array['plan', 'platforms', 'platforms', 'seen_on'],
    'a direct read returns only user-visible values of the owner''s tickets'
);
select ok(
    public.export_my_data()::text not like '%refund_amount%' and public.export_my_data()::text not like '%churn_risk%',
    'export_my_data holds no staff-only field or its history'
);
select is_empty(
    $$select id from public.ticket_events where kind in ('field', 'staff_field') and (to_value like '%refund_amount%' or from_value like '%churn_risk%' or to_value like '%churn_risk%')$$,
    'the owner reads no history event of a staff-only field'
);
select ok(
    (select bool_and(e ->> 'to' not like '%refund%' and e ->> 'to' not like '%churn%')
     from jsonb_array_elements(public.get_ticket((select answer ->> 'ticket_id' from filed))::jsonb -> 'events') as e),
    'the history get_ticket shows holds no staff-only field'
);
select is(
    pg_temp.refusal(format($$select public.support_set_ticket_fields('{"ticket_id": "%s", "fields": {"plan": "team"}}')$$,
        (select answer ->> 'ticket_id' from filed))),
    '42501',
    'the owner cannot change fields after filing'
);

-- another user
select tests.authenticate_as('other');
select is_empty($$select field_key from public.ticket_field_values$$, 'another user reads no value of someone else''s ticket');

-- anon and service_role
select tests.clear_authentication();
select throws_ok($$select * from public.custom_fields$$, '42501', null, 'anon reads no definition');
select tests.authenticate_as_service_role();
select is(
    pg_temp.message(format($$insert into public.ticket_field_values (ticket_id, field_key, value) values ('%s', 'seen_on', '"yesterday"')$$,
        (select answer ->> 'ticket_id' from filed))),
    'fields.seen_on must be a date (YYYY-MM-DD)',
    'service_role writing the table directly meets the same check'
);

select * from finish();
rollback;
