"""Bill, payment, invoice, refund, shift and report endpoints: thin handlers over
the billing modules (bills, approvals, payments, invoices, refunds, drawer)."""

from __future__ import annotations

from pos_app.api import Api, Call, items
from pos_app.auth.models import Staff
from pos_app.auth.roles import BACK_OFFICE, CASH_HANDLERS, FLOOR_STAFF
from pos_app.auth.services import PinMatch, check_approval_pin, find_approver
from pos_app.auth.views import login_source, settings
from pos_app.billing import (
    approvals,
    bills,
    drawer,
    invoices,
    payments,
    promotion_preview,
    refunds,
    schemas,
    till_report,
)
from pos_app.billing.models import Promotion
from pos_app.crud import Resource, register_resource
from pos_app.errors import Forbidden, ValidationFailed, error_response
from pos_app.orders.services import get_order

ONE = "/orders/<uuid:order_id>"


def _approver(call: Call) -> tuple[Staff | None, object]:
    """The staff member whose PIN approves this call (None without one), or an error response
    when it is not a manager's PIN: a wrong PIN and a waiter's answer alike, and the failed
    try is committed, counting per actor and in the branch's PIN-space budget."""
    pin = (call.body or {}).get("approver_pin")
    if not pin:
        return None, None
    source = login_source()
    staff = check_approval_pin(call.session, call.actor, pin, source, settings(), call.prepared)
    if staff is None:
        err = Forbidden(
            "that approval PIN is wrong", {"approver_pin": ["wrong PIN"]}, "wrong_approver_pin"
        )
        return None, error_response(err)
    return staff, None


def _find_approver(session, actor, loaded) -> PinMatch | None:
    """Command.prepare of the calls a manager's PIN approves: its argon2 check, before the
    writer's transaction (SQLite's write lock stays free for the orders meanwhile)."""
    pin = (loaded.body or {}).get("approver_pin")
    if not pin:
        return None
    return find_approver(session, actor, pin, login_source(), settings())


def get_bill(call: Call, order_id: str):
    """The order's bill: lines, discounts, promotions, service charge, VAT, parts, payments."""
    order = get_order(call.session, order_id)
    return bills.bill_dict(call.session, order)


def print_pre_bill(call: Call, order_id: str):
    """Print the pre-bill (not a tax invoice) on the receipt printer."""
    return invoices.print_pre_bill(call.session, call.actor, order_id)


def add_discount(call: Call, order_id: str):
    """Discount a line or the order (percent or amount) or comp a line; above the branch's
    threshold, with a manager's PIN. Audited."""
    approver, refused = _approver(call)
    if refused is not None:
        return refused
    return approvals.add_discount(call.session, call.actor, order_id, call.body, approver), 201


def remove_discount(call: Call, order_id: str, discount_id: str):
    """Take a discount off the bill (audited)."""
    return approvals.remove_discount(call.session, call.actor, order_id, discount_id)


def override_price(call: Call, order_id: str, line_id: str):
    """Change a line's unit price with a reason and a manager's approval (audited)."""
    approver, refused = _approver(call)
    if refused is not None:
        return refused
    return approvals.override_price(
        call.session, call.actor, order_id, line_id, call.body, approver
    )


def split_bill(call: Call, order_id: str):
    """Split the bill by items, by seat, equally, or by amounts (or back to one bill)."""
    return bills.split_bill(call.session, call.actor, order_id, call.body)


def pay(call: Call, order_id: str):
    """Pay (part of) a bill part with one tender; a part paid in full gets its tax invoice,
    printed with its QR code; the last part closes the order. Idempotent on the payment id."""
    return payments.pay(call.session, call.actor, order_id, call.body), 201


def list_invoices(call: Call):
    """Invoices and credit notes of an order (`order_id`), newest first."""
    from sqlalchemy import select

    from pos_app.billing.models import Invoice

    stmt = select(Invoice).order_by(Invoice.id.desc()).limit(200)
    if call.query.get("order_id"):
        stmt = stmt.where(Invoice.order_id == call.query["order_id"].lower())
    return items(invoices.invoice_dict(i) for i in call.session.scalars(stmt))


def get_invoice(call: Call, invoice_id: str):
    """One invoice or credit note, by id or number (INV-000012, CN-000003)."""
    return invoices.invoice_dict(invoices.get_invoice(call.session, invoice_id))


def invoice_qr(call: Call, invoice_id: str):
    """The invoice's QR code (the simplified-invoice TLV payload) as an SVG image."""
    from flask import Response

    from pos_app.auth.views import qr_svg

    invoice = invoices.get_invoice(call.session, invoice_id)
    return Response(
        qr_svg(invoice.qr),
        mimetype="image/svg+xml",
        headers={"Cache-Control": "private, max-age=86400"},
    )


def reprint_invoice(call: Call, invoice_id: str):
    """Print an invoice or credit note again, marked REPRINT (audited)."""
    return invoices.invoice_dict(invoices.reprint_invoice(call.session, call.actor, invoice_id))


def refund_invoice(call: Call, invoice_id: str):
    """Refund lines, an amount or all of an invoice with a reason and a manager's approval:
    a credit note referencing it, printed."""
    approver, refused = _approver(call)
    if refused is not None:
        return refused
    note = refunds.refund(call.session, call.actor, invoice_id, call.body, approver)
    return invoices.invoice_dict(note), 201


def current_shift(call: Call):
    """The open shift, or null."""
    return {"shift": drawer.shift_dict(bills.open_shift_now(call.session))}


def open_shift(call: Call):
    """Open the cash drawer with a float (the drawer opens)."""
    shift = drawer.open_shift(call.session, call.actor, call.body["float_minor"])
    return {"shift": drawer.shift_dict(shift)}, 201


def move_cash(call: Call):
    """Cash in or out of the drawer with a reason (audited; the drawer opens)."""
    body = call.body
    drawer.move_cash(call.session, call.actor, body["kind"], body["amount_minor"], body["reason"])
    return {"shift": drawer.shift_dict(bills.open_shift_now(call.session))}, 201


def no_sale(call: Call):
    """Open the drawer without a sale, with a reason (audited)."""
    drawer.open_drawer(call.session, call.actor, call.body["reason"])
    return {"shift": drawer.shift_dict(bills.open_shift_now(call.session))}, 201


def x_report(call: Call):
    """The X report: the till since the last Z, closing nothing (`print=true` prints it)."""
    return till_report.x_report(call.session, call.actor, call.query.get("print", False))


def z_report(call: Call):
    """Close the till: the Z report with expected vs counted per tender, printed."""
    body = call.body
    report = till_report.z_report(call.session, call.actor, body["counted"], print_it=body["print"])
    return report.document, 201


def get_z_report(call: Call, number: int):
    """A past Z report."""
    return till_report.get_z_report(call.session, number).document


def register(api: Api) -> None:
    """Add the billing endpoints and the promotions back office."""
    api.add(f"{ONE}/bill", "GET", get_bill, roles=FLOOR_STAFF, tag="billing")
    api.add(f"{ONE}/bill/print", "POST", print_pre_bill, roles=FLOOR_STAFF, tag="billing")
    api.add(
        f"{ONE}/discounts",
        "POST",
        add_discount,
        roles=FLOOR_STAFF,
        tag="billing",
        body=schemas.DiscountInSchema,
        status=201,
        errors=(403, 409),
        prepare=_find_approver,
    )
    api.add(
        f"{ONE}/discounts/<uuid:discount_id>",
        "DELETE",
        remove_discount,
        roles=FLOOR_STAFF,
        tag="billing",
    )
    api.add(
        f"{ONE}/lines/<uuid:line_id>/price",
        "POST",
        override_price,
        roles=FLOOR_STAFF,
        tag="billing",
        body=schemas.PriceOverrideSchema,
        errors=(403, 409),
        prepare=_find_approver,
    )
    api.add(
        f"{ONE}/split",
        "POST",
        split_bill,
        roles=FLOOR_STAFF,
        tag="billing",
        body=schemas.SplitSchema,
    )
    api.add(
        f"{ONE}/payments",
        "POST",
        pay,
        roles=FLOOR_STAFF,
        tag="billing",
        body=schemas.PaymentInSchema,
        status=201,
        errors=(409,),
    )
    api.add(
        "/invoices",
        "GET",
        list_invoices,
        roles=FLOOR_STAFF,
        tag="billing",
        query=schemas.InvoiceFilter,
    )
    api.add("/invoices/<invoice_id>", "GET", get_invoice, roles=FLOOR_STAFF, tag="billing")
    api.add(
        "/invoices/<invoice_id>/qr.svg",
        "GET",
        invoice_qr,
        roles=FLOOR_STAFF,
        tag="billing",
        media_type="image/svg+xml",
    )
    api.add(
        "/invoices/<invoice_id>/reprint", "POST", reprint_invoice, roles=FLOOR_STAFF, tag="billing"
    )
    api.add(
        "/invoices/<invoice_id>/refunds",
        "POST",
        refund_invoice,
        roles=CASH_HANDLERS,
        tag="billing",
        body=schemas.RefundSchema,
        status=201,
        errors=(403, 409),
        prepare=_find_approver,
    )
    api.add("/shifts/current", "GET", current_shift, roles=CASH_HANDLERS, tag="drawer")
    api.add(
        "/shifts",
        "POST",
        open_shift,
        roles=CASH_HANDLERS,
        tag="drawer",
        body=schemas.ShiftOpenSchema,
        status=201,
    )
    api.add(
        "/drawer/cash",
        "POST",
        move_cash,
        roles=CASH_HANDLERS,
        tag="drawer",
        body=schemas.CashMoveSchema,
        status=201,
    )
    api.add(
        "/drawer/no-sale",
        "POST",
        no_sale,
        roles=CASH_HANDLERS,
        tag="drawer",
        body=schemas.NoSaleSchema,
        status=201,
    )
    api.add(
        "/reports/x", "GET", x_report, roles=CASH_HANDLERS, tag="drawer", query=schemas.XReportQuery
    )
    api.add(
        "/reports/z",
        "POST",
        z_report,
        roles=CASH_HANDLERS,
        tag="drawer",
        body=schemas.ZReportSchema,
        status=201,
    )
    api.add("/reports/z/<int:number>", "GET", get_z_report, roles=CASH_HANDLERS, tag="drawer")
    register_resource(
        api,
        Resource(
            "promotions",
            "promotion",
            Promotion,
            schemas.PromotionSchema,
            "billing",
            read_roles=FLOOR_STAFF,
            write_roles=BACK_OFFICE,
            strong_auth=True,  # money rules: password or step-up
            order_by=("id",),
            before_save=_check_promotion,
        ),
    )
    promotion_preview.register(api)


def _check_promotion(session, actor, promotion, data: dict, is_new: bool) -> None:
    """Refuse a promotion the pricing could not apply (it would fail every bill)."""
    from pos_app.billing import promotions

    merged = {c: getattr(promotion, c) for c in ("name", "name_ar", "kind", "percent_bp")}
    for column in ("weekdays", "start_time", "end_time", "item_ids", "category_ids"):
        merged[column] = getattr(promotion, column)
    for column in ("buy_quantity", "get_quantity", "combo_price_minor"):
        merged[column] = getattr(promotion, column)
    merged.update(data)
    spec = promotions.PromotionSpec(
        id=promotion.id or 0,
        name=merged["name"] or "",
        name_ar=merged["name_ar"] or "",
        kind=merged["kind"] or "",
        percent_bp=merged["percent_bp"] or 0,
        weekdays=tuple(merged["weekdays"] or ()),
        start=merged["start_time"] or "",
        end=merged["end_time"] or "",
        item_ids=tuple(merged["item_ids"] or ()),
        category_ids=tuple(merged["category_ids"] or ()),
        buy_quantity=merged["buy_quantity"] or 0,
        get_quantity=merged["get_quantity"] or 0,
        combo_price_minor=merged["combo_price_minor"] or 0,
    )
    try:
        promotions.validate_promotion(spec)
    except ValueError as err:
        raise ValidationFailed(str(err), {"kind": [str(err)]}) from err
