"""Orders and their lines: dine-in, takeaway and delivery, fired to the kitchen as deltas."""
