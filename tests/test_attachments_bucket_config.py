"""supabase/config.toml declares the support-attachments bucket as the migrations create it.

The Supabase CLI creates the buckets of config.toml through the Storage API on `supabase start`;
the migration creates the same bucket on a hosted project. Two places, one setting each: this
test keeps them equal.
"""

import re
import tomllib
from pathlib import Path

CONFIG = Path(__file__).resolve().parents[1] / "supabase" / "config.toml"
_UNITS = {"B": 1, "KB": 1000, "MB": 1000**2, "GB": 1000**3,
          "KiB": 1024, "MiB": 1024**2, "GiB": 1024**3}


def size_in_bytes(text: str) -> int:
    match = re.fullmatch(r"(\d+)\s*([KMG]i?B|B)", text)
    assert match, f"not a size the Supabase CLI reads: {text!r}"
    return int(match.group(1)) * _UNITS[match.group(2)]


def test_config_toml_declares_the_bucket_the_migrations_create(db):
    declared = tomllib.loads(CONFIG.read_text())["storage"]["buckets"]["support-attachments"]
    created = db.execute(
        "select public, file_size_limit, allowed_mime_types from storage.buckets"
        " where id = 'support-attachments'"
    ).fetchone()
    assert created == (
        declared["public"],
        size_in_bytes(declared["file_size_limit"]),
        declared["allowed_mime_types"],
    )
    assert created[0] is False
