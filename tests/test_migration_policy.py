"""The migration policy (docs/architecture.md, "Migrations"): a deployed migration is never
edited or removed, and a new one sorts after the last deployed one.

The committed manifest is checked against the committed migrations; the other tests record a
deploy of a copy of the folder and then break each rule on the copy, to show the check fails.
"""

import shutil
from pathlib import Path

import pytest

from support_dev import migrations

# Later than any real migration, so that the copies below always end with it.
LAST_DEPLOYED = "20990101000000_create_things.sql"


def test_no_deployed_migration_was_changed_removed_or_preceded():
    assert migrations.violations(migrations.MIGRATIONS, migrations.MANIFEST) == []


def test_the_manifest_names_the_command_that_records_a_deploy():
    assert migrations.RECORD_COMMAND in migrations.MANIFEST.read_text()


@pytest.fixture
def deployed(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the migrations, a deploy of them recorded, and one more deployed file."""
    folder = tmp_path / "migrations"
    shutil.copytree(migrations.MIGRATIONS, folder)
    (folder / LAST_DEPLOYED).write_text("create table things (id int);\n")
    manifest = tmp_path / "deployed-migrations.txt"
    command = ["record", "--migrations", str(folder), "--manifest", str(manifest)]
    assert migrations.main(command) == 0
    return folder, manifest


def test_a_recorded_deploy_lists_every_migration_and_passes(deployed):
    folder, manifest = deployed
    assert [entry.name for entry in migrations.read_manifest(manifest)] == sorted(
        path.name for path in folder.glob("*.sql")
    )
    assert migrations.violations(folder, manifest) == []


def test_a_new_migration_after_the_last_deployed_one_passes_and_is_recorded_next(deployed):
    folder, manifest = deployed
    (folder / "20990201000000_add_things_name.sql").write_text("alter table things add b int;\n")
    assert migrations.violations(folder, manifest) == []
    assert migrations.record(folder, manifest) == []
    assert migrations.read_manifest(manifest)[-1].name == "20990201000000_add_things_name.sql"


def test_an_edited_deployed_migration_fails(deployed, capsys):
    folder, manifest = deployed
    edited = sorted(folder.glob("*.sql"))[3]
    edited.write_text(edited.read_text() + "\n-- a later thought\n")
    assert migrations.main(["check", "--migrations", str(folder), "--manifest", str(manifest)]) == 1
    assert f"{edited.name} was deployed and has changed" in capsys.readouterr().err


def test_a_removed_deployed_migration_fails(deployed):
    folder, manifest = deployed
    removed = sorted(folder.glob("*.sql"))[0]
    removed.unlink()
    assert migrations.violations(folder, manifest) == [
        f"{removed.name} was deployed and is gone: restore it"
    ]


def test_a_new_migration_sorting_before_the_last_deployed_one_fails(deployed):
    folder, manifest = deployed
    (folder / "20260115000000_add_late_idea.sql").write_text("select 1;\n")
    assert migrations.violations(folder, manifest) == [
        f"20260115000000_add_late_idea.sql is new but sorts before {LAST_DEPLOYED}, the last "
        "deployed migration: give it a later timestamp"
    ]


def test_a_deploy_is_not_recorded_over_a_broken_rule(deployed):
    folder, manifest = deployed
    before = manifest.read_text()
    (folder / "20260115000000_add_late_idea.sql").write_text("select 1;\n")
    assert migrations.record(folder, manifest) != []
    assert manifest.read_text() == before
