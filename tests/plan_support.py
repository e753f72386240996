"""Plans of what a test runs, from auto_explain's notices (a session of the test's own)."""

import psycopg


def explaining(session: psycopg.Connection) -> list[str]:
    """From now on in this transaction, the plan of every statement (and of every statement a
    function runs) goes to the returned list, with JIT considered for every plan however cheap
    (jit_above_cost = 0)."""
    plans: list[str] = []
    session.add_notice_handler(lambda notice: plans.append(notice.message_primary or ""))
    session.execute("load 'auto_explain'")
    for setting, value in (("auto_explain.log_min_duration", "0"),
                           ("auto_explain.log_nested_statements", "on"),
                           ("auto_explain.log_analyze", "on"),
                           ("auto_explain.log_level", "notice"),
                           ("jit", "on"), ("jit_above_cost", "0")):
        session.execute(f"set local {setting} = {value}")
    return plans
