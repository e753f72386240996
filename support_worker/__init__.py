"""support-worker: delivers the notifications queue (pgmq) by email and signed webhooks."""
