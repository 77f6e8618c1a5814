"""Domain signals (blinker): the kernel announces, feature packages react in the same transaction.

Receivers get the SQLAlchemy session as the sender and must not commit. A signal is an
announcement: the kernel works the same with no receiver at all. What the kernel needs
answered is a port (pos_app/ports.py), not a signal.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# The demo restaurant is being loaded; kwargs: data (the demo JSON). Feature packages add
# their part (floors and tables, printers).
demo_loading = _signals.signal("demo-loading")

# An order changed (a new version: opened, lines, fired, ready, moved, paid, closed,
# cancelled); kwargs: order, actor, previous_table_id (set when the order left a table),
# ready (the kitchen called it ready), bill_checked (billing's own change), created (the
# order was just opened: no split, no payment, no kitchen ticket of it exists). Receivers:
# table_service (table status, the floor's pushes) and the kernel's billing (a split that no
# longer matches the bill is dropped; refused once something is paid).
order_changed = _signals.signal("order-changed")

# Lines were sent to the kitchen; kwargs: order, send (routing.KitchenSend: the lines per
# station and course, made once), actor. Receivers make tickets (kds) and chits (printers).
order_fired = _signals.signal("order-fired")

# A held course was released; kwargs: order, course, previous (the course released before:
# courses previous+1 .. course start cooking now), send (routing.KitchenSend of what those
# courses hold, `release` set), actor. kds starts the held tickets; printers print FIRE chits.
course_fired = _signals.signal("course-fired")

# The order was cancelled; kwargs: order, reason. The kitchen drops what is not cooked yet.
order_cancelled = _signals.signal("order-cancelled")

# A paper document for the branch's receipt printer(s): an invoice or credit note receipt, a
# pre-bill, an X or Z report, or a cash-drawer kick; kwargs: kind ("receipt", "pre_bill",
# "report", "drawer"), document (a JSON-able dict, see printers/receipts.py), ref (what it is
# for, e.g. "invoice:12"), reprint (bool). The printers package queues one job per active
# receipt printer in the same transaction.
document_printing = _signals.signal("document-printing")

# Bearer tokens were revoked (logout, deactivation, a new PIN or password); kwargs: token_hash
# (one token) or staff_id (every token of a staff member). pos_app/realtime.py drops their
# open sockets after the commit, in every process.
tokens_revoked = _signals.signal("tokens-revoked")

# The back office's home asks for today's figures; kwargs: day (the business day), now (UTC).
# Each receiver returns a dict of its own figures (kds: late tickets; printers: their health),
# merged into GET /api/v1/backoffice/today. No receiver: those figures are simply absent.
today_figures = _signals.signal("today-figures")
