"""Money: integer euro cents everywhere; ``Decimal`` only where a rate applies, rounded half-up to the cent."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

VAT_RATE = Decimal("0.20")
VAT_PERCENT = "20"


def round_cents(amount: Decimal) -> int:
    """``amount`` (in cents, possibly fractional) rounded half-up to a whole cent."""
    return int(amount.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def vat_of(total_ht_cents: int) -> int:
    """VAT of an invoice, computed once on its HT total (not per line), half-up to the cent."""
    return round_cents(Decimal(total_ht_cents) * VAT_RATE)


def euros(cents: int) -> str:
    """French display: ``1 234,50`` (no currency sign)."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{whole:,}".replace(",", "\u202f") + f",{part:02d}"
