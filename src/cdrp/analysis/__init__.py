"""Statistics for partnerships: pure functions on arrays and frames, never importing Django."""
