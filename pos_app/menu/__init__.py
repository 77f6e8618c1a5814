"""The menu: stations, categories, items, modifier groups and modifiers."""
