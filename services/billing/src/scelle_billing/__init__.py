"""Scellé billing service: tariffs, accruals, invoices, late fees, suspension."""
