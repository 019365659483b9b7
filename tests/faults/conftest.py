"""Fault tests run their own product instances (free ports, own var/); see instance.py."""
