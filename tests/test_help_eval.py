"""The help center's held-out questions (support_dev/help_eval/): their shape, and hit@3 of
suggest_articles over the seeded articles (docs/help-center.md, "Relevance")."""

import subprocess
import sys

from support_dev.help_eval import hit_at, load, ranks

QUESTIONS = load()


def test_the_questions_cover_both_locales_and_every_published_seed_article(db) -> None:
    assert len(QUESTIONS) >= 30
    assert {q.locale.split("-")[0] for q in QUESTIONS} == {"en", "fr"}
    published = {row[0] for row in db.execute(
        "select slug from public.help_articles where status = 'published' "
        "and id::text like '00000000-0000-4000-8000-0000000e1%'").fetchall()}
    assert {q.expected for q in QUESTIONS} == published


def test_hit_at_3_over_the_seeded_articles(stack) -> None:
    found = ranks(stack.db_url, QUESTIONS)
    assert hit_at(found, 3) >= 0.9, found
    assert hit_at(found, 1) >= 0.8, found


def test_the_command_prints_hit_at_3_per_locale(stack) -> None:
    printed = subprocess.run(
        [sys.executable, "-m", "support_dev.help_eval", "--db-url", stack.db_url],
        capture_output=True, text=True, check=True, timeout=60).stdout
    assert printed.splitlines()[0].split() == ["locale", "questions", "hit@1", "hit@3"]
    assert any(line.startswith("all ") for line in printed.splitlines())
