"""Rasa glue loaded by the Rasa server: custom NLU components and related add-ons.

Only this package (and ``actions/``) may import Rasa; domain logic stays in
``kontaktcenter``.
"""
