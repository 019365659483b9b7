"""Rasa custom actions: thin glue that reads the tracker and sends Swedish replies.

All wording and logic lives in the plain-Python package ``kontaktcenter``; these
classes only pick what to call. Services are created lazily on first use
(actions/services.py), never at import time.
"""
