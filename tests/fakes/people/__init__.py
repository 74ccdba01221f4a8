"""Builders of synthetic accounts and roster entries for the people-view tests."""
