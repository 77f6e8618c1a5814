"""The demo restaurant's floors and tables, laid out on a grid for the floor map."""

from __future__ import annotations

from sqlalchemy.orm import Session

from table_service.models import DiningTable, Floor, TableShape


def load_demo_floors(session: Session, data: dict) -> None:
    """Receiver of `demo_loading`: the hall and the terrace with their tables."""
    for sort, row in enumerate(data["floors"]):
        floor = Floor(name=row["name"]["en"], name_ar=row["name"]["ar"], sort=sort)
        for i, (label, seats) in enumerate(zip(row["tables"], row["seats"], strict=True)):
            floor.tables.append(
                DiningTable(
                    label=label,
                    seats=seats,
                    shape=_shape(seats),
                    x=(i % 5) * 3,
                    y=(i // 5) * 3,
                    width=2 if seats >= 6 else 1,
                    height=1,
                    sort=i,
                )
            )
        session.add(floor)


def _shape(seats: int) -> TableShape:
    if seats <= 2:
        return TableShape.round
    return TableShape.rectangle if seats >= 6 else TableShape.square
