"""Policies: declarative rules (YAML + CEL) loaded, validated and evaluated against an inventory."""
