"""Great Expectations suites and the code that runs them as Dagster asset checks (issue 4)."""
