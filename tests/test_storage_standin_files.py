"""The local Storage stand-in's removal of stored files: only regular files inside the bucket's
folder, whatever the names of the deleted rows, and never an exception half-way (the rows'
deletion is already committed; the call must answer with them)."""

from pathlib import Path

from support_dev.stack.storage_standin import remove_files

USER = "00000000-0000-4000-8000-0000000000aa"
TICKET = "00000000-0000-4000-8000-0000000000bb"


def test_only_regular_files_inside_the_bucket_are_removed_and_later_files_still_are(tmp_path):
    folder = tmp_path / "support-attachments" / USER / TICKET
    folder.mkdir(parents=True)
    kept_sibling = folder / "kept.png"
    kept_sibling.write_bytes(b"kept")
    outside = tmp_path / "outside.txt"
    outside.write_text("not the bucket's")
    (folder / "link.png").symlink_to(outside)
    (folder / "a-folder").mkdir()
    later = folder / "later.png"
    later.write_bytes(b"x")
    first = folder / "first.png"
    first.write_bytes(b"x")

    names = [f"{USER}/{TICKET}/first.png", f"{USER}/{TICKET}/..", f"{USER}/{TICKET}/.",
             f"{USER}/../../outside.txt", f"{USER}/{TICKET}/link.png",
             f"{USER}/{TICKET}/a-folder", f"{USER}/{TICKET}/missing.png",
             f"{USER}/{TICKET}/later.png"]
    assert remove_files(tmp_path, "support-attachments", names) == 0

    assert not first.exists() and not later.exists(), "the regular files named are removed"
    assert kept_sibling.exists() and (folder / "a-folder").is_dir()
    assert outside.read_text() == "not the bucket's", "nothing outside the bucket is touched"
    assert (folder / "link.png").is_symlink(), "a link is left alone"
    assert Path(tmp_path / "support-attachments" / USER).is_dir()
