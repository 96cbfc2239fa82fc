"""Pure analyses: Dataset + parameters → tidy pandas DataFrame with documented columns."""
