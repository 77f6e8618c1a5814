"""Owners' reports: sales, items, staff, kitchen speed, adjustments, VAT and cash, by business
day, week, month or range, for one branch, several or all (docs/reports.md).

The same code serves a branch alone (its own figures, `LOCAL` branch id) and the cloud (every
branch's, by its cloud id): facts are written where the sale happens and sent to the cloud as
`report.facts` outbox events, which the cloud applies with the same function.
"""
