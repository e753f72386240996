"""The held-out evaluation set of issue 25 (support_dev/triage_eval/): its shape, its labels against
the vocabulary the model learns, and `python -m support_dev.triage_eval` end to end on the stack's
database, which it leaves as it found it (docs/triage.md, "Evaluation set")."""

import re
import subprocess
import sys
from collections import Counter

import psycopg

from support_dev.triage_eval import load
from support_triage.examples import seed_examples

DATA = load()
FIGURE = r"(\d+\.\d+)"


def test_paraphrase_groups_hold_three_to_five_distinct_reports() -> None:
    assert len(DATA.groups) >= 40
    for group, members in DATA.groups.items():
        assert 3 <= len(members) <= 5, group
    texts = [r.text.strip().lower() for r in DATA.reports]
    assert len(texts) == len(set(texts)), "a report appears twice"
    assert any("\n" in r.text for r in DATA.reports), "no multi-line bug report"


def test_each_decoy_shares_the_area_of_a_group() -> None:
    assert len(DATA.decoys) >= 40
    assert all(d.near in DATA.groups for d in DATA.decoys)


def test_labels_are_the_values_the_model_learns_with_a_realistic_catch_all_share() -> None:
    assert len(DATA.labelled) >= 200
    seed = seed_examples()
    for field in ("ticket_type", "priority", "category"):
        known = {e.label for e in seed if e.field == field}
        used = Counter(item.labels[field] for item in DATA.labelled if field in item.labels)
        assert set(used) == known, field
        if "other" in known:
            assert 0.05 <= used["other"] / sum(used.values()) <= 0.3, field


def test_nothing_of_the_set_is_in_the_seed_the_model_trains_on() -> None:
    seed = {e.text.strip().lower() for e in seed_examples()}
    texts = [r.text for r in DATA.reports] + [i.description for i in DATA.labelled]
    assert not [t for t in texts if t.strip().lower() in seed]


def _tickets(db: psycopg.Connection) -> int:
    return db.execute("select count(*) from public.support_tickets").fetchone()[0]


def test_the_command_prints_every_figure_from_the_real_lookup(stack, db) -> None:
    before = _tickets(db)
    result = subprocess.run(
        [sys.executable, "-m", "support_dev.triage_eval", "--db-url", stack.db_url],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout
    assert "support_similar_tickets" in out
    for label in ("recall@5", "no-hit rate", "decoys in some top 5"):
        match = re.search(rf"{label}: {FIGURE}", out)
        assert match and 0 <= float(match[1]) <= 1, label
    assert re.search(rf"true pairs: \d+, median score {FIGURE}", out)
    assert re.search(rf"decoy pairs \(same area\): \d+, median score {FIGURE}", out)
    assert re.search(rf"threshold implication: .* from {FIGURE}", out)
    for field in ("ticket_type", "priority", "category"):
        match = re.search(rf"{field}: accuracy {FIGURE}, macro-F1 {FIGURE}", out)
        assert match and all(0 <= float(match[i]) <= 1 for i in (1, 2)), field
    assert _tickets(db) == before, "the evaluation left tickets behind"
