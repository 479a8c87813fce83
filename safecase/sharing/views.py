"""Pages (issue 5): filled in by the part that owns them."""
