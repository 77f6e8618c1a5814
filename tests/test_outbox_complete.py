"""Every change the cloud needs is in the outbox: after a whole service (a table of four split
by seat, cash and card, a refund, the Z report; every ticket started and bumped; a recall), the
newest event of each order, ticket, payment, invoice and shift says what the database says.
A service that changes one of them without its event fails here."""

from __future__ import annotations

from sqlalchemy import select
from test_billing import menu, staff  # noqa: F401  (the fixtures of the service played here)

from kds.models import KitchenTicket
from pos_app.billing.models import Invoice, Payment, Shift
from pos_app.orders.models import Order
from pos_app.outbox import OutboxEvent


def newest_events(db) -> dict[tuple[str, str], OutboxEvent]:
    """(aggregate type, id) -> its newest event; every event in seq order, no gaps."""
    with db(write=False) as s:
        events = s.scalars(select(OutboxEvent).order_by(OutboxEvent.seq)).all()
        assert [e.seq for e in events] == list(range(1, len(events) + 1))
        newest = {}
        for event in events:
            s.expunge(event)
            newest[(event.aggregate_type, event.aggregate_id)] = event
        return newest, events


def test_after_a_whole_service_every_change_has_its_event(client, menu, staff, db, auth):  # noqa: F811
    from test_billing import test_demo_table_split_by_seat_cash_and_card_refund_and_z as service

    service(client, menu, staff, db)  # noqa: F811
    cook = auth("kitchen")
    with db(write=False) as s:
        open_tickets = [t.id for t in s.scalars(select(KitchenTicket)) if t.status.value != "done"]
    for ticket_id in open_tickets:
        client.post(f"/api/v1/tickets/{ticket_id}/start", headers=cook)
        client.post(f"/api/v1/tickets/{ticket_id}/bump", headers=cook)

    newest, events = newest_events(db)
    kinds = {e.type for e in events}
    with db(write=False) as s:
        for order in s.scalars(select(Order)):
            event = newest[("order", order.id)]
            if event.type.startswith("order."):
                assert event.payload["version"] == order.version, (order.number, event.type)
            else:  # a payment or a kitchen note after the order's last change: look back
                versions = [
                    e.payload.get("version")
                    for e in events
                    if e.aggregate_id == order.id and e.type.startswith("order.")
                ]
                assert versions[-1] == order.version, order.number
        for ticket in s.scalars(select(KitchenTicket)):
            event = newest[("ticket", str(ticket.id))]
            assert event.payload["status"] == ticket.status.value, ticket.id
            assert (event.payload["bumped_at"] is None) == (ticket.bumped_at is None), ticket.id
        paid = {e.payload["id"] for e in events if e.type == "payment.recorded"}
        assert {p.id for p in s.scalars(select(Payment))} <= paid
        issued = {e.aggregate_id for e in events if e.type.endswith(".issued")}
        assert {i.display_number for i in s.scalars(select(Invoice))} <= issued
        for shift in s.scalars(select(Shift)):
            assert ("shift", str(shift.id)) in newest or any(
                e.type == "shift.opened" and e.aggregate_id == str(shift.id) for e in events
            )
            if shift.status == "closed":
                assert "z_report.closed" in kinds
    assert {"ticket.created", "ticket.updated", "credit_note.issued"} <= kinds
