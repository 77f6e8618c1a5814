"""Bills, discounts, promotions, split payments, tax invoices, credit notes, shifts and the
cash drawer. Pure money rules in tax, pricing, promotions, split and zatca; the services in
bills, approvals, payments, invoices, refunds and drawer work in the caller's transaction."""
