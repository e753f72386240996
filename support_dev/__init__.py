"""Development tooling that only works inside a checkout: the local stack runner
(`support-stack`, in `support_dev.stack`) and the API-reference generator
(`python -m support_dev.apidocs`). Nothing in `support_api` imports it."""
