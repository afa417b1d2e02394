"""Tables of the expertise database (mechanics tables live in scelle_common.tables)."""

from sqlalchemy import MetaData

metadata = MetaData()
