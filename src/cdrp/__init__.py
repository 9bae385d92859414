"""cdrp."""
