"""Labelled scenarios for measuring the cross-checks (``bench/crosscheck_scenarios.py``).

Honest rectification, honest look-alikes and each kind of fake, generated with realistic
variation. Nothing here reads the checks' thresholds: the scenarios are made as life makes
them, then the checks are measured against the labels.
"""
