-- The SLA clock trigger runs as its owner, so a ticket a user files gets its due times.
--
-- Why: private.keep_sla_clock (20260111000100) reads public.sla_policies to set
-- first_response_due_at and resolution_due_at. It ran as the caller, and users hold no read
-- policy on sla_policies (only staff read them, 20260111000000), so on a ticket filed through
-- create_support_ticket or report_bug the look-up found nothing and the ticket got no clock: it
-- was never due, never breached, and absent from sort=due and from the breaching view of the
-- dashboard. Only tickets written by staff, the scheduler or postgres had clocks.
-- Security definer, as private.track_sla_reply already is: the trigger changes nothing but the
-- clock columns of the row being written (which RLS and the grants let the caller write), and
-- reads one row of sla_policies; search_path stays ''. Users still cannot read the policies.

alter function private.keep_sla_clock() security definer;

comment on function private.keep_sla_clock() is
    'Before insert or update on public.support_tickets: sets the due times from public.sla_policies '
    'on create, priority change and reopen; stops the clock on resolve/close; keeps updated_at '
    'when only the clocks changed. Security definer: it reads sla_policies, which users may not '
    'read, for the tickets they file; it writes only the clock columns of the row being written.';
