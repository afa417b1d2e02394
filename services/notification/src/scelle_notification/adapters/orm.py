"""Tables of the notification database (mechanics tables live in scelle_common.tables)."""

from sqlalchemy import MetaData

metadata = MetaData()
