"""Tables of the designation database (mechanics tables live in scelle_common.tables)."""

from sqlalchemy import MetaData

metadata = MetaData()
