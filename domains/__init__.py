"""The warehouse's domains, one folder each: a table's dataset, transform, suite, DDL and assets side by side.

    domains/<d>/datasets.py    the akshare datasets it lands (input specs, raw tables, live fetch, sample rules)
    domains/<d>/transforms.py  raw -> staging in polars
    domains/<d>/suites.py      the Great Expectations suites its staging tables pass through
    domains/<d>/staging.sql    its staging tables' DDL
    domains/<d>/assets.py      its Dagster assets (the only Dagster file of the folder)

A domain imports the kit (etl/) and nothing of another domain. The kit finds the domains by this package's
name (etl/plugins.py), never by importing them: a new domain is a new folder (docs/adding-a-dataset.md).
"""
