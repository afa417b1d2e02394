"""Mechanics shared by every Scellé service.

Business rules never live here: this package holds only what would be written
identically in each service (configuration, logs, database sessions, the event
envelope, the transactional outbox/inbox and the bus, HTTP conventions, the
audit chain and the pytest fixtures that start real servers).
"""
