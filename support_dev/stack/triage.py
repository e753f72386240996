"""The triage side of the local stack: support-triage, suggesting off the request path."""

import signal

from support_dev.stack.config import StackConfig
from support_dev.stack.paths import Binaries
from support_dev.stack.processes import Child, Supervisor
from support_runtime.settings import LOCAL_ENV

# Retrained once an hour locally, so staff decisions made while trying the dashboard show up in
# the model the same session; a deployment chooses its own schedule (docs/triage.md).
RETRAIN_EVERY_SECONDS = 3600


def start_triage(config: StackConfig, binaries: Binaries, supervisor: Supervisor) -> Child:
    # SIGTERM: the worker finishes the batch in hand (one transaction) before it exits.
    return supervisor.spawn(
        "triage", [str(binaries.support_triage), "run",
                   "--retrain-every", str(RETRAIN_EVERY_SECONDS)],
        # It connects as postgres and switches to its own role, support_triage (store.connect).
        env={"SUPPORT_API_ENV": LOCAL_ENV, "SUPABASE_DB_URL": config.db_url},
        stop_signal=signal.SIGTERM,
    )
