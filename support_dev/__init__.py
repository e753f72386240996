"""Development tooling that only works inside a checkout: the local stack runner
(`support-stack`, in `support_dev.stack`), the generators of the API and schema references
(`python -m support_dev.docs`) and the migration policy's check (`support_dev.migrations`).
Nothing in `support_api` imports it."""
