"""Units and quantities: what staff type (2.5 kg, 250 g, 3 pieces) as thousandths of the
ingredient's own unit, exactly (decimal, never float arithmetic)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# unit typed -> (the ingredient unit it converts to, how many of those it is)
CONVERT = {
    "g": ("g", 1),
    "kg": ("g", 1000),
    "ml": ("ml", 1),
    "l": ("ml", 1000),
    "piece": ("piece", 1),
}
TYPED_UNITS = tuple(CONVERT)
MAX_MILLI = 10**15  # a billion kilograms: far past any kitchen, well inside BigInteger


class UnitError(ValueError):
    """A quantity that cannot be taken: units that do not convert, too precise, too big."""


def to_milli(quantity, typed_unit: str | None, base_unit: str) -> int:
    """`quantity` of `typed_unit` (the ingredient's own unit when None) in thousandths of
    `base_unit`; UnitError if the units do not convert (kg of milk counted in ml)."""
    unit = typed_unit or base_unit
    if unit not in CONVERT:
        raise UnitError(f"unknown unit {unit!r}: use one of {', '.join(TYPED_UNITS)}")
    target, factor = CONVERT[unit]
    if target != base_unit:
        raise UnitError(f"{unit} does not convert to {base_unit}")
    try:
        value = Decimal(str(quantity)) * factor * 1000
    except (InvalidOperation, ValueError) as exc:
        raise UnitError("not a number") from exc
    if not value.is_finite():
        raise UnitError("not a number")
    if value != value.to_integral_value():
        raise UnitError(f"at most {3 if factor == 1 else 6} decimals in {unit}")
    milli = int(value)
    if abs(milli) > MAX_MILLI:
        raise UnitError("too large")
    return milli


def show(milli: int) -> float | int:
    """Thousandths as the number staff read (250000 -> 250, 1500 -> 1.5)."""
    whole, rest = divmod(milli, 1000)
    return whole if not rest else float(Decimal(milli) / 1000)


def label(milli: int, unit: str) -> str:
    """A level as people say it: 1.25 kg, 300 g, 2 pieces."""
    if unit in ("g", "ml") and abs(milli) >= 1_000_000:
        big = Decimal(milli) / 1_000_000
        text = format(big.quantize(Decimal("0.01"), ROUND_HALF_UP).normalize(), "f")
        return f"{text} {'kg' if unit == 'g' else 'l'}"
    return f"{show(milli)} {unit}"


def cost_of(milli: int, cost_minor: int, cost_per_milli: int) -> int:
    """The value of `milli` at `cost_minor` per `cost_per_milli`, rounded half away from 0."""
    if not cost_minor or not cost_per_milli:
        return 0
    sign = -1 if milli < 0 else 1
    return sign * ((abs(milli) * cost_minor * 2 + cost_per_milli) // (2 * cost_per_milli))
