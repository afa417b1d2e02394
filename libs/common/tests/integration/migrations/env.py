"""Migrations of the throwaway database the library's integration tests use."""

from sqlalchemy import Column, Integer, MetaData, String, Table

from scelle_common.migrations import run_migrations

metadata = MetaData()
Table(
    "effects",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(64), nullable=False),
    Column("note", String(200), nullable=False),
)

run_migrations(metadata, "SCELLE_COMMON_TEST_DATABASE_URL")
