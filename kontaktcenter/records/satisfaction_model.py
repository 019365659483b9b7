"""STAND-IN for the widget's satisfaction table (Alembic 0005_satisfaction).

The "widget" branch owns the real table and ``kontaktcenter/records/satisfaction.py``;
this module only exists so the statistics can be written and tested before that branch
is merged. It uses its own MetaData (not ``Base``), so it never enters the migrations
or clashes with the real model: at merge, point
:func:`kontaktcenter.insights.sources.satisfaction_counts` at the real table and delete
this file.
"""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, String, Table, Text

from kontaktcenter.records.models import UTCDateTime

metadata = MetaData()

satisfaction_answers = Table(
    "satisfaction_answers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", Integer, nullable=True),
    Column("diarienummer", String(20), nullable=True),
    Column("score", Integer, nullable=False),
    Column("comment", Text, nullable=True),
    Column("created_at", UTCDateTime(), nullable=False, index=True),
)
