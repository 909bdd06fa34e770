"""raw -> staging, one module per domain: the same names as etl/datasets/ and etl/transforms/."""
