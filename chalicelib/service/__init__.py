"""The service layer: one method per operation, and the ports (storage interfaces) it needs."""
