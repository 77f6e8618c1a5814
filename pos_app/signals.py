"""Domain signals (blinker): the kernel announces, feature packages react in the same transaction.

Receivers get the SQLAlchemy session as the sender and must not commit.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# The demo restaurant is being loaded; kwargs: data (the demo JSON). Feature packages add
# their part (floors and tables, printers).
demo_loading = _signals.signal("demo-loading")
