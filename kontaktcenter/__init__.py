"""Domain code of the Helsingborg kontaktcenter assistant.

Nothing in this package imports Rasa: calendar, date parsing, the public-record
register, masking and the staff console are plain Python, tested on their own.
The Rasa glue lives in ``actions/`` (action server) and ``rasa_addons/`` (NLU
component, event broker, channel).
"""

__version__ = "0.1.0"
