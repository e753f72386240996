"""The runtime kit the three processes share (the API, support-worker, support-triage): JWTs
and unsubscribe tokens, settings read once with the same secret checks, and the service loop
that runs until a signal and reconnects when the database goes away. It imports none of them.
"""
