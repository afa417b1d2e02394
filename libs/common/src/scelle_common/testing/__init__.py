"""Test support: a pytest plugin whose fixtures give every test real servers.

PostgreSQL, RabbitMQ and S3 come from ``SCELLE_TEST_POSTGRES_URL``,
``SCELLE_TEST_RABBITMQ_URL`` and ``SCELLE_TEST_S3_URL`` (+ keys) when set, else
from testcontainers; with neither the run fails with a message saying what to
provide — integration tests are never skipped silently. SMTP capture and the
private RabbitMQ node of fault drills are started by the fixtures themselves.
"""
