"""Insights: statistics for the team lead, missed questions, operations metrics.

Plain Python over the register's tables (no Rasa imports). Aggregates only: nothing
here returns message text except :mod:`kontaktcenter.insights.missed`, which reads the
masked copies the register keeps.
"""
