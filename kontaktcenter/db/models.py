"""Imports every table module so that ``Base.metadata`` knows the whole schema.

Alembic's env.py and the tests import this module; add new model modules here.
"""

from kontaktcenter.calendar import models as calendar_models  # noqa: F401
from kontaktcenter.desk import canned as desk_canned  # noqa: F401
from kontaktcenter.desk import presence as desk_presence  # noqa: F401
from kontaktcenter.handover import models as handover_models  # noqa: F401
from kontaktcenter.insights import models as insights_models  # noqa: F401
from kontaktcenter.records import models as records_models  # noqa: F401
from kontaktcenter.records import notes as records_notes  # noqa: F401
from kontaktcenter.staff import models as staff_models  # noqa: F401
