"""The README shows the benchmark figures of the latest committed run, as they are there."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def latest_result() -> Path:
    return max((ROOT / "bench" / "results").glob("*.md"))


def targets_table(markdown: str) -> str:
    lines = markdown.splitlines()
    start = lines.index("| target | ratio | verdict |")
    end = lines.index("", start)
    return "\n".join(lines[start:end])


def test_the_readme_shows_the_targets_of_the_latest_benchmark_run():
    result = latest_result()
    readme = (ROOT / "README.md").read_text()
    assert f"bench/results/{result.name}" in readme
    assert targets_table(result.read_text()) in readme
