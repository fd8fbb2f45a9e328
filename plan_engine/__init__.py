"""Turns a competency profile and the approved catalogue into an individual curriculum."""
