"""Bills, discounts, promotions, split payments, tax invoices, credit notes, shifts and the
cash drawer. Pure money rules in tax/pricing/split/zatca; the rest works in the caller's
transaction."""
