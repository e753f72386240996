"""support_stats is never JIT-compiled (migration 20260111001000 says why: at 10M tickets the
compilation took 82 of a call's 96 ms). The figures it returns are checked in supabase/tests/;
a plan needs auto_explain's notices, hence a session of its own here."""

import psycopg
import pytest
from plan_support import explaining

AS_USER = """
select set_config('request.jwt.claims', json_build_object('sub', %s::text,
                  'role', 'authenticated')::text, true)
"""


def test_support_stats_is_planned_without_jit_however_large_the_estimate(stack, make_user):
    agent = make_user()
    with psycopg.connect(stack.db_url) as session:
        if not session.execute("select pg_jit_available()").fetchone()[0]:
            pytest.skip("this PostgreSQL has no JIT provider (llvmjit): nothing to switch off")
        session.execute(
            "insert into public.support_staff (user_id, role, display_name) "
            "values (%s, 'agent', 'Plan check')",
            (agent.id,),
        )
        session.execute(AS_USER, (agent.id,))
        plans = explaining(session)
        # The control: these settings do compile an ordinary statement, so the check can fail.
        session.execute("select count(*) from generate_series(1, 10)")
        assert any("JIT:" in plan for plan in plans), plans

        session.execute("set local role authenticated")
        plans.clear()
        stats = session.execute("select public.support_stats()").fetchone()[0]
        session.rollback()
    assert set(stats) >= {"tickets_per_day", "first_response", "backlog"}, stats
    # The caller's own statement is the caller's business; the function's statements are checked.
    inside = [plan for plan in plans if "select public.support_stats()" not in plan]
    assert any("on support_tickets" in plan for plan in inside), plans
    assert not [plan for plan in inside if "JIT:" in plan], inside
