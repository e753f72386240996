"""`python -m support_dev.help_eval`: hit@1 and hit@3 of the held-out questions (see __init__)."""

import argparse
import os

from support_dev.help_eval import load, ranks, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db-url", default=os.environ.get(
        "SUPABASE_DB_URL", "postgresql://postgres:postgres@127.0.0.1:54322/postgres"))
    args = parser.parse_args()
    questions = load()
    print(report(questions, ranks(args.db_url, questions)))


if __name__ == "__main__":
    main()
