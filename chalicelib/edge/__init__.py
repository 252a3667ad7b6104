"""The edge: requests in (parsing, validation), answers out (views, problem+json), for both
transports (REST routes and direct Lambda invocations), with idempotency and access logs."""
