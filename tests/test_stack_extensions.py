"""The extensions the migrations create: pgmq installed by the stack from the pinned PyPI
package into the share folder of the binaries in use; pg_cron preloaded where it exists."""

from pathlib import Path

import pytest

from support_dev.stack.extensions import PGMQ_VERSION, install_pgmq, pgmq_files, share_dir
from support_dev.stack.paths import Binaries

pytestmark = pytest.mark.local_stack


def test_pgmq_is_installed_where_these_binaries_look_and_again_is_a_no_op():
    bindir = Binaries.locate().postgres_bindir
    folder = share_dir(bindir) / "extension"
    assert (folder / "plpgsql.control").is_file(), "the share folder of these very binaries"
    assert install_pgmq(bindir) == []
    for name, text in pgmq_files().items():
        assert (folder / name).read_text() == text
    assert f"default_version = '{PGMQ_VERSION}'" in (folder / "pgmq.control").read_text()


def test_the_database_runs_pgmq_as_an_extension_in_schema_pgmq(db):
    row = db.execute("select e.extversion, n.nspname from pg_extension as e "
                     "join pg_namespace as n on n.oid = e.extnamespace "
                     "where e.extname = 'pgmq'").fetchone()
    assert row == (PGMQ_VERSION, "pgmq")
    assert db.execute("select queue_name from pgmq.list_queues() order by queue_name"
                      ).fetchall() == [("bulk_actions",), ("notifications",)]


def test_pg_cron_is_preloaded_and_runs_the_jobs_in_postgres(db):
    if not Path(share_dir(Binaries.locate().postgres_bindir) / "extension" /
                "pg_cron.control").is_file():
        assert db.execute("select count(*) from pg_extension where extname = 'pg_cron'"
                          ).fetchone()[0] == 0
        return
    assert "pg_cron" in db.execute("show shared_preload_libraries").fetchone()[0]
    jobs = db.execute("select jobname, database from cron.job order by jobname").fetchall()
    assert jobs == [("apply-retention", "postgres"),
                    ("close-resolved-tickets", "postgres"),
                    ("continue-erasures", "postgres"),
                    ("purge-archived-notifications", "postgres"),
                    ("run-time-rules", "postgres")]
