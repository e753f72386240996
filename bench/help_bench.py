"""`python -m bench.help_bench`: suggest_articles' latency as the help center grows.

The claim (docs/help-center.md, "Speed"): suggestions are cheap enough to ask on each pause in
typing. suggest_articles reads the published articles through two GIN indexes (the full-text
vector, the title trigrams), so a call costs what matches, not what the table holds.

The bench adds synthetic published articles (en and fr, slugs `bench-*`; most words from a
Zipf-like long tail of made-up words, a few from a support vocabulary, so that a question's
common words match a share of the articles, as on a real help center) to the database of
a running stack until it holds each
size, then has TYPERS concurrent anonymous readers (threads, one connection each, `set role
anon` as PostgREST would) ask the held-out questions of support_dev/help_eval and their
prefixes (what a typer sends while typing) for ROUNDS rounds, and reports p50, p95 and p99 in
milliseconds per size, and the ratio of the largest size's p99 to the smallest's. The time is
the database's (PostgREST adds the same constant at every size). It removes its articles at
the end.

Defaults are modest (sizes 100 and 10,000; 10 typers); the issue's figure is
HELP_BENCH_TYPERS=100. `--db-url` (or SUPABASE_DB_URL) names the stack's database.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import threading
import time

import psycopg

from support_dev.help_eval import load

SIZES = tuple(int(n) for n in os.environ.get("HELP_BENCH_SIZES", "100,10000").split(","))
TYPERS = int(os.environ.get("HELP_BENCH_TYPERS", "10"))
ROUNDS = int(os.environ.get("HELP_BENCH_ROUNDS", "3"))
WORDS = {
    "en": [
        "account", "password", "email", "login", "sign", "invoice", "refund", "charge", "plan",
        "subscription", "cancel", "notification", "push", "sync", "calendar", "export", "data",
        "privacy", "crash", "freeze", "update", "restart", "device", "phone", "settings",
        "network", "offline", "upload", "photo", "share", "team", "invite", "billing", "card",
        "payment", "receipt", "tax", "language", "theme", "backup", "restore", "delete",
        "profile", "security", "code"
    ],
    "fr": [
        "compte", "mot", "passe", "email", "connexion", "facture", "remboursement", "paiement",
        "abonnement", "résilier", "notification", "synchronisation", "calendrier", "export",
        "données", "confidentialité", "plantage", "mise", "jour", "redémarrer", "appareil",
        "téléphone", "réglages", "réseau", "photo", "partage", "équipe", "carte", "reçu",
        "langue", "thème", "sauvegarde", "supprimer", "profil", "sécurité", "code"
    ],
}


def _pseudo_words(rng: random.Random, count: int) -> list[str]:
    """Made-up words standing for the long tail of a help center's vocabulary."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    return ["".join(rng.choices(letters, k=rng.randint(5, 10))) for _ in range(count)]


def _grow(connection: psycopg.Connection, size: int, rng: random.Random) -> None:
    """Adds bench articles until the table holds `size` published articles. Each body draws
    most of its words from a long tail (Zipf-like: a few made-up words are common, most rare)
    and a few from the support vocabulary above, as real articles do."""
    have = connection.execute(
        "select count(*) from public.help_articles where status = 'published'").fetchone()[0]
    tail = _pseudo_words(rng, 5000)
    weights = [1 / (rank + 1) for rank in range(len(tail))]
    rows = []
    for n in range(have, size):
        locale = "fr" if n % 4 == 3 else "en"
        words = WORDS[locale]
        title = " ".join(rng.sample(words, 2) + rng.choices(tail, weights, k=3)).capitalize()
        paragraphs = []
        for _ in range(3):
            drawn = rng.choices(tail, weights, k=35) + rng.sample(words, 5)
            rng.shuffle(drawn)
            paragraphs.append(" ".join(drawn) + ".")
        rows.append((f"bench-{n}", locale, title, "\n\n".join(paragraphs), f"bench-{n % 12}"))
    with connection.cursor() as cursor:
        cursor.executemany(
            "insert into public.help_articles (slug, locale, title, body, category, status) "
            "values (%s, %s, %s, %s, %s, 'published')", rows)
    connection.execute("analyze public.help_articles")


def _queries() -> list[tuple[str, str]]:
    """The held-out questions, and the prefixes a typer sends on each pause (every 2nd word)."""
    asked = []
    for question in load():
        words = question.text.split()
        asked += [(" ".join(words[:n]), question.locale) for n in range(2, len(words) + 1, 2)]
        asked.append((question.text, question.locale))
    return asked


def _typer(db_url: str, queries: list[tuple[str, str]], timings: list[float],
           start: threading.Event) -> None:
    with psycopg.connect(db_url, autocommit=True) as connection:
        connection.execute("set role anon")
        start.wait()
        for _ in range(ROUNDS):
            for text, locale in queries:
                began = time.perf_counter()
                connection.execute("select * from public.suggest_articles(%s, %s, 3)",
                                   (text, locale)).fetchall()
                timings.append((time.perf_counter() - began) * 1000)


def measure(db_url: str) -> list[float]:
    queries = _queries()
    timings: list[float] = []
    start = threading.Event()
    threads = []
    for n in range(TYPERS):
        mine = queries[:]
        random.Random(n).shuffle(mine)
        thread = threading.Thread(target=_typer, args=(db_url, mine, timings, start))
        thread.start()
        threads.append(thread)
    time.sleep(0.5)
    start.set()
    for thread in threads:
        thread.join()
    return timings


def percentile(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db-url", default=os.environ.get("SUPABASE_DB_URL"),
                        required=not os.environ.get("SUPABASE_DB_URL"))
    args = parser.parse_args()
    rng = random.Random(26)
    results = {}
    with psycopg.connect(args.db_url, autocommit=True) as connection:
        try:
            for size in sorted(SIZES):
                _grow(connection, size, rng)
                timings = measure(args.db_url)
                results[size] = (percentile(timings, 50), percentile(timings, 95),
                                 percentile(timings, 99), len(timings))
                p50, p95, p99, calls = results[size]
                print(f"{size:>7} articles, {TYPERS} typers: {calls} calls, "
                      f"p50 {p50:.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms", flush=True)
        finally:
            connection.execute("delete from public.help_articles where slug like 'bench-%'")
    smallest, largest = min(results), max(results)
    ratio = results[largest][2] / results[smallest][2]
    print(f"p99 ratio {largest} / {smallest} articles: {ratio:.2f}")


if __name__ == "__main__":
    main()
