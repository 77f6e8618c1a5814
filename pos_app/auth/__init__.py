"""Staff, login (PIN, password + TOTP), bearer tokens, roles and rate limits."""
