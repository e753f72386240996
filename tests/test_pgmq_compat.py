"""pgmq as Supabase ships it: hosted projects get pgmq 1.5.1 (supabase/postgres
`nix/ext/versions.json`, 1.4.4 kept for pinned installs); the local stack installs 1.13.0. The
migrations and the worker use only what 1.5.1 has; 1.4.4 lacks `read`'s fourth argument
(`conditional`, 1.5.0), whose signature a migration grants. docs/notifications.md says so.

No 1.5.x SQL can be installed here (the package index has `pgmq` 1.1.4 only, which ships 1.13.0),
so this reads the code: every pgmq object named anywhere must be one that 1.5.1 provides.
"""

import re

from support_dev.stack.paths import PROJECT_ROOT

# What pgmq 1.5.1 provides and this project may use (its functions, with the signatures we
# call, and its tables), from the extension's SQL at that version.
PGMQ_1_5_1 = {
    "create", "send", "read", "archive", "set_vt", "list_queues", "meta",
    "q_notifications", "a_notifications",
    # The tables pgmq.create makes for the bulk actions' queue (20260205000300).
    "q_bulk_actions", "a_bulk_actions",
}
SOURCES = [*sorted((PROJECT_ROOT / "supabase" / "migrations").glob("*.sql")),
           *sorted((PROJECT_ROOT / "support_worker").glob("*.py"))]


def _code(path) -> str:
    text = path.read_text()
    comment = "--" if path.suffix == ".sql" else "#"
    return "\n".join(line.split(comment, 1)[0] for line in text.splitlines())


def test_the_migrations_and_the_worker_name_only_what_pgmq_1_5_1_provides():
    used = {name for path in SOURCES for name in re.findall(r"\bpgmq\.([a-z_]+)", _code(path))}
    assert used, "no pgmq use found: the pattern is stale"
    assert used <= PGMQ_1_5_1, used - PGMQ_1_5_1

