"""The till's figures since the last Z, read from the rows no Z has taken yet (reads only).

Everything not yet in a Z (payments, refunds, invoices, credit notes, cash movements, shifts)
is in the next one. Sales and VAT come from the invoices and credit notes (VAT per rate, as
each was issued); what each tender should hold comes from how the money moved
(billing/tender.py): tips are counted with their tender but never as sales.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos_app.billing import tender as till
from pos_app.billing.models import TENDERS, CashMovement, Invoice, Payment, Shift
from pos_app.orders.models import Order


def unreported(session: Session, model):
    return list(
        session.scalars(select(model).where(model.z_report_id.is_(None)).order_by(model.id))
    )


def _range(notes: list[Invoice]) -> tuple[str | None, str | None]:
    """The first and last number of a series (display numbers, by number)."""
    ordered = sorted(notes, key=lambda i: i.number)
    return (ordered[0].display_number, ordered[-1].display_number) if ordered else (None, None)


def vat_by_rate(sales: list[Invoice], notes: list[Invoice]) -> list[dict]:
    """Per VAT rate (as each invoice was issued): sales and credit notes excluding VAT, their
    VAT, and what is left of both after the credit notes."""
    rows: dict[int, dict] = defaultdict(lambda: defaultdict(int))
    for kind, docs in (("sales", sales), ("refunds", notes)):
        for i in docs:
            row = rows[int((i.document or {}).get("vat_rate_bp") or 0)]
            row[f"{kind}_net_minor"] += i.net_minor
            row[f"{kind}_vat_minor"] += i.vat_minor
            row[f"{kind}_gross_minor"] += i.total_minor
    out = []
    for rate in sorted(rows):
        r = rows[rate]
        out.append(
            {
                "rate_bp": rate,
                **{
                    k: r[k]
                    for k in (
                        "sales_net_minor",
                        "sales_vat_minor",
                        "sales_gross_minor",
                        "refunds_net_minor",
                        "refunds_vat_minor",
                        "refunds_gross_minor",
                    )
                },
                "net_minor": r["sales_net_minor"] - r["refunds_net_minor"],
                "vat_minor": r["sales_vat_minor"] - r["refunds_vat_minor"],
                "gross_minor": r["sales_gross_minor"] - r["refunds_gross_minor"],
            }
        )
    return out


def _tips_by_waiter(session: Session, payments: list[Payment]) -> list[dict]:
    """Tips per waiter of the order (who shares them out), biggest first."""
    tipped = [p for p in payments if p.kind == "payment" and p.tip_minor]
    if not tipped:
        return []
    waiters = dict(
        session.execute(
            select(Order.id, Order.waiter_name).where(Order.id.in_({p.order_id for p in tipped}))
        ).all()
    )
    by_name: dict[str, int] = defaultdict(int)
    for p in tipped:
        by_name[waiters.get(p.order_id) or "-"] += p.tip_minor
    return [
        {"name": name, "tips_minor": tips}
        for name, tips in sorted(by_name.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


def till_figures(session: Session) -> dict:
    """Everything since the last Z: sales, credit notes, VAT per rate, tips, the drawer and,
    per tender, what the drawer or the terminal should hold."""
    invoices = unreported(session, Invoice)
    payments = unreported(session, Payment)
    movements = unreported(session, CashMovement)
    shifts = unreported(session, Shift)
    totals = till.totals_by_tender(
        till.Movement(
            p.tender, p.kind, p.amount_minor, p.tip_minor, p.tendered_minor, p.change_minor
        )
        for p in payments
    )
    drawer = till.Drawer(
        float_minor=sum(s.float_minor for s in shifts),
        cash_in=sum(m.amount_minor for m in movements if m.kind == "in"),
        cash_out=sum(m.amount_minor for m in movements if m.kind == "out"),
    )
    expected = till.expected(totals, drawer, TENDERS)
    return {
        **_sales_figures(invoices),
        "tips_minor": sum(t.tips for t in totals.values()),
        "tips_by_tender": {t: totals[t].tips for t in TENDERS if t in totals and totals[t].tips},
        "tips_by_waiter": _tips_by_waiter(session, payments),
        "no_sales": sum(1 for m in movements if m.kind == "no_sale"),
        "cash_in_minor": drawer.cash_in,
        "cash_out_minor": drawer.cash_out,
        "float_minor": drawer.float_minor,
        "cash": _cash_figures(totals.get(till.CASH, till.TenderTotals()), drawer, expected),
        "tenders": _tender_figures(totals),
        "expected": expected,
        "since": min((s.opened_at for s in shifts), default=None),
    }


def _sums(docs: list[Invoice]) -> tuple[int, int, int]:
    """Total, net and VAT of invoices or credit notes."""
    return tuple(
        sum(getattr(i, k) for i in docs) for k in ("total_minor", "net_minor", "vat_minor")
    )


def _sales_figures(invoices: list[Invoice]) -> dict:
    """Sales and credit notes: how many, their numbers, their sums and what is left of them
    after the credit notes, with VAT per rate."""
    sales = [i for i in invoices if i.kind == "invoice"]
    notes = [i for i in invoices if i.kind == "credit_note"]
    first_invoice, last_invoice = _range(sales)
    first_note, last_note = _range(notes)
    gross, net, vat = _sums(sales)
    refunds, refunds_net, refunds_vat = _sums(notes)
    return {
        "invoices": len(sales),
        "first_invoice": first_invoice,
        "last_invoice": last_invoice,
        "gross_sales_minor": gross,
        "vat_minor": vat,
        "net_sales_minor": net,
        "discounts_minor": sum(i.discount_minor for i in sales),
        "service_charge_minor": sum(i.service_charge_minor for i in sales),
        "credit_notes": len(notes),
        "first_credit_note": first_note,
        "last_credit_note": last_note,
        "refunds_minor": refunds,
        "refunds_vat_minor": refunds_vat,
        "refunds_net_minor": refunds_net,
        "sales_after_refunds_minor": gross - refunds,
        "net_sales_excl_vat_minor": net - refunds_net,
        "vat_due_minor": vat - refunds_vat,
        "vat_by_rate": vat_by_rate(sales, notes),
    }


def _cash_figures(cash: till.TenderTotals, drawer: till.Drawer, expected: dict) -> dict:
    """How the cash drawer got to what it should hold."""
    return {
        "float_minor": drawer.float_minor,
        "sales_minor": cash.applied,
        "tips_minor": cash.tips,
        "tendered_minor": cash.tendered,
        "change_minor": cash.change,
        "refunds_minor": cash.refunds,
        "in_minor": drawer.cash_in,
        "out_minor": drawer.cash_out,
        "expected_minor": expected[till.CASH],
    }


def _tender_figures(totals: dict) -> dict:
    """Per tender that moved: how many payments, what they paid, tips, change, refunds."""
    return {
        t: {
            "count": totals[t].count,
            "payments": totals[t].applied,
            "tips": totals[t].tips,
            "tendered": totals[t].tendered,
            "change": totals[t].change,
            "refunds": totals[t].refunds,
        }
        for t in TENDERS
        if t in totals
    }
