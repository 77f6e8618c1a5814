"""The branch: its identity, money, tax and time settings."""
