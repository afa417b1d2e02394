"""Tables of the billing database (mechanics tables live in scelle_common.tables)."""

from sqlalchemy import MetaData

metadata = MetaData()
