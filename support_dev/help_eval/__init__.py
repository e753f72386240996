"""The help center's held-out questions (questions.json) and their hit@k over suggest_articles.

`python -m support_dev.help_eval [--db-url URL]` asks suggest_articles each question as an
anonymous reader (the role the public pages use) against the database's published articles —
the seeded ones on a fresh stack — and prints hit@1 and hit@3 per locale and overall: the share
of questions whose expected article is the first, or among the first three, suggestions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import psycopg

QUESTIONS = Path(__file__).with_name("questions.json")


@dataclass(frozen=True)
class Question:
    locale: str
    text: str
    expected: str


def load() -> list[Question]:
    return [Question(**row) for row in json.loads(QUESTIONS.read_text())["questions"]]


def ranks(db_url: str, questions: list[Question]) -> list[int | None]:
    """The 1-based rank of each question's expected article among its suggestions (None: absent)."""
    found: list[int | None] = []
    with psycopg.connect(db_url, autocommit=True) as connection:
        connection.execute("set role anon")
        for question in questions:
            slugs = [row[0] for row in connection.execute(
                "select slug from public.suggest_articles(%s, %s, 3)",
                (question.text, question.locale)).fetchall()]
            found.append(slugs.index(question.expected) + 1 if question.expected in slugs else None)
    return found


def hit_at(found: list[int | None], k: int) -> float:
    return sum(1 for rank in found if rank is not None and rank <= k) / len(found) if found else 0.0


def report(questions: list[Question], found: list[int | None]) -> str:
    lines = ["locale  questions  hit@1  hit@3"]
    for locale in [*sorted({q.locale.split("-")[0] for q in questions}), "all"]:
        picked = [rank for q, rank in zip(questions, found, strict=True)
                  if locale == "all" or q.locale.split("-")[0] == locale]
        first, top3 = hit_at(picked, 1), hit_at(picked, 3)
        lines.append(f"{locale:<7} {len(picked):>9}  {first:.2f}   {top3:.2f}")
    misses = [f"  missed: [{q.locale}] {q.text!r} -> {q.expected}"
              for q, rank in zip(questions, found, strict=True) if rank is None]
    return "\n".join(lines + misses)
