"""Dagster definitions for the A-share warehouse; `assets.definitions.defs` is the one root."""

import warnings

import dagster as dg

# Single-run backfills (BackfillPolicy) are what we want for range assets; Dagster labels them beta.
warnings.filterwarnings("ignore", category=dg.BetaWarning)
