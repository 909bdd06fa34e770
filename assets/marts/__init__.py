"""The marts, one module per subject: the same names as etl/transforms/marts/."""
