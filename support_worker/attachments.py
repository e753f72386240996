"""The attachment clean-up: uploads never linked to their ticket, removed through Storage's API.

An app uploads a file first and links it after (public.ticket_attachments); an upload whose link
never came would hold storage and count against its ticket's limits for ever. The view
public.unlinked_attachment_objects lists those older than attachment_limits.unlinked_after
(24 hours). Each round reads it and removes what it lists exactly as storage-js `remove()` does,
`DELETE {SUPABASE_URL}/storage/v1/object/{bucket}` with `{"prefixes": [...]}`, so that Storage
deletes the files with their rows. Deleting rows of storage.objects directly would leave the
files in the object store (and Supabase refuses it: storage.protect_delete).

Both calls go through Supabase's gateway with the service_role key, the only role granted the
view: the worker's database role (support_worker) gets nothing more for this. A round is
idempotent (a name removed twice is simply not there the second time); a round that fails stops,
leaves the rest in the view and the next round takes it up. The log says counts only: a path
holds a user id, a ticket id and the file name the user chose, which can be ticket content.

The same rounds remove the files of people being erased (the view public.erasure_objects,
issue 27), whatever their age: the erasure (private.erasures) completes once none is left.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from dataclasses import dataclass

import httpx

from support_worker.settings import WorkerSettings

log = logging.getLogger("support_worker.attachments")
VIEW = "unlinked_attachment_objects"
ERASURE_VIEW = "erasure_objects"
# Names per remove call (Storage takes up to 1000) and calls per round: a backlog is worked off
# over a few rounds instead of holding the worker in one.
BATCH = 100
MAX_BATCHES = 20
TIMEOUT = 30.0


@dataclass(frozen=True)
class CleanupRound:
    removed: int
    failure: str | None = None


class CleanupFailed(Exception):
    """Supabase did not answer a call of the round; nothing of that batch was removed."""


class AttachmentCleanup:
    def __init__(self, settings: WorkerSettings, view: str = VIEW) -> None:
        assert settings.service_role_key, "the clean-up needs the service_role key"
        key = settings.service_role_key
        self._view = view
        self._client = httpx.Client(
            base_url=settings.supabase_url, timeout=TIMEOUT,
            headers={"apikey": key, "Authorization": f"Bearer {key}"})

    def close(self) -> None:
        self._client.close()

    def run_round(self) -> CleanupRound:
        removed = 0
        try:
            for _ in range(MAX_BATCHES):
                names = self._unlinked()
                if not names:
                    break
                removed_now = sum(self._remove(bucket, batch) for bucket, batch in names.items())
                removed += removed_now
                # Nothing removed: what is left is not Storage's to remove now; next round.
                if removed_now == 0 or sum(map(len, names.values())) < BATCH:
                    break
        except (CleanupFailed, httpx.HTTPError) as failure:
            reason = str(failure) if isinstance(failure, CleanupFailed) else type(failure).__name__
            return CleanupRound(removed, reason)
        return CleanupRound(removed)

    def _unlinked(self) -> dict[str, list[str]]:
        order = "created_at.asc,name.asc" if self._view == VIEW else "name.asc"
        response = self._client.get(f"/rest/v1/{self._view}", params={
            "select": "bucket_id,name", "order": order, "limit": BATCH})
        if response.status_code != 200:
            raise CleanupFailed(f"reading {self._view}: HTTP {response.status_code}")
        by_bucket: dict[str, list[str]] = defaultdict(list)
        for row in response.json():
            by_bucket[row["bucket_id"]].append(row["name"])
        return by_bucket

    def _remove(self, bucket: str, names: list[str]) -> int:
        response = self._client.request("DELETE", f"/storage/v1/object/{bucket}",
                                        json={"prefixes": names})
        if response.status_code != 200:
            raise CleanupFailed(f"Storage remove: HTTP {response.status_code}")
        return len(response.json())


def run_rounds(settings: WorkerSettings, stopping: threading.Event) -> None:
    """One round now, then one per interval, until `stopping`; several workers may each run
    this: the rounds are idempotent."""
    cleanup = AttachmentCleanup(settings)
    erasure = AttachmentCleanup(settings, ERASURE_VIEW)
    try:
        while not stopping.is_set():
            erased = erasure.run_round()
            if erased.failure:
                log.warning("erasure: removed %d files of erased people, then failed (%s); "
                            "the rest is retried next round", erased.removed, erased.failure)
            elif erased.removed:
                log.info("erasure: removed %d files of erased people", erased.removed)
            outcome = cleanup.run_round()
            if outcome.failure:
                log.warning("attachment clean-up: removed %d unlinked uploads, then failed (%s); "
                            "the rest is retried next round", outcome.removed, outcome.failure)
            else:
                log.info("attachment clean-up: removed %d unlinked uploads", outcome.removed)
            stopping.wait(settings.attachment_cleanup_interval)
    finally:
        cleanup.close()
        erasure.close()
