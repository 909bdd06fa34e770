"""The audit engine: nothing replaces a stored partition until its candidate has passed its suite.

rules.py         Rule and Suite: the rule kinds every domain's suites.py is written in
gx.py            runs a suite's rules as Great Expectations validations; the data docs
offline_docs.py  the data docs made to render offline
proposals.py     a raw step's rows wait as its run's proposal until the staging gate settles them
quarantine.py    rows set aside by a rule; refused partitions recorded
references.py    what a candidate is compared with: partition summaries and the size band, latest captures
"""
