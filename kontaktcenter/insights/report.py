"""The statistics as plain data, JSON, CSV and a Swedish text summary (CLI and page).

One list of figures (key, Swedish label, kind) drives every format, so the page, the
CLI and the exports can never disagree on a name or a number.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from kontaktcenter.insights.stats import WEEKDAYS, Statistics

# key (JSON), label (Swedish, for people), kind: count | rate | seconds | number
SCALARS: list[tuple[str, str, str]] = [
    ("conversations", "Samtal", "count"),
    ("contained", "Klarade utan kommunvägledare", "count"),
    ("containment_rate", "Andel klarade utan kommunvägledare", "rate"),
    ("conversations_with_handover", "Samtal som bad om kommunvägledare", "count"),
    ("handover_rate", "Andel som bad om kommunvägledare", "rate"),
    ("conversations_with_callback", "Samtal med meddelande för återkoppling", "count"),
    ("handovers", "Förfrågningar om kommunvägledare", "count"),
    ("handovers_answered", "Besvarade av kommunvägledare", "count"),
    ("handovers_abandoned", "Avbrutna i kön", "count"),
    ("handovers_waiting", "Väntar fortfarande i kön", "count"),
    ("abandonment_rate", "Andel avbrutna i kön", "rate"),
    ("wait_median_seconds", "Väntetid i kön, median", "seconds"),
    ("wait_p95_seconds", "Väntetid i kön, 95:e percentilen", "seconds"),
    ("callbacks", "Meddelanden för återkoppling", "count"),
    ("callbacks_handled", "Varav hanterade", "count"),
    ("callbacks_handled_rate", "Andel hanterade", "rate"),
    ("satisfaction_answers", "Svar på \"Fick du hjälp?\"", "count"),
    ("satisfied", "Svar 4 eller 5", "count"),
    ("satisfied_rate", "Andel nöjda (4–5)", "rate"),
    ("satisfaction_mean", "Medelbetyg (1–5)", "number"),
    ("resident_messages", "Meddelanden från invånare", "count"),
    ("missed_messages", "Meddelanden som boten inte förstod", "count"),
    ("fallback_rate", "Andel som boten inte förstod", "rate"),
]
LABELS = {key: label for key, label, _kind in SCALARS}
KINDS = {key: kind for key, _label, kind in SCALARS}


def to_dict(stats: Statistics) -> dict[str, Any]:
    """Stable, documented keys (docs/statistics.md); rates are fractions 0–1 or null."""
    data: dict[str, Any] = {
        "period": {"from": stats.period.first.isoformat(), "to": stats.period.last.isoformat()},
        "missed_confidence_threshold": stats.threshold,
    }
    for key, _label, _kind in SCALARS:
        data[key] = getattr(stats, key)
    data["satisfaction"] = (
        None if stats.satisfaction is None
        else {str(score): n for score, n in sorted(stats.satisfaction.items())}
    )
    data["per_day"] = {day.isoformat(): n for day, n in stats.per_day}
    data["per_weekday_hour"] = {
        WEEKDAYS[w]: row for w, row in enumerate(stats.per_weekday_hour)
    }
    data["top_intents"] = [{"intent": name, "count": n} for name, n in stats.top_intents]
    data["top_missed"] = [{"intent": name, "count": n} for name, n in stats.top_missed]
    return data


def to_json(stats: Statistics) -> str:
    return json.dumps(to_dict(stats), ensure_ascii=False, indent=2) + "\n"


def to_csv(stats: Statistics) -> str:
    """Rows of (mått, nyckel, värde): one file that opens in a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["mått", "nyckel", "värde"])
    writer.writerow(["Period", "", stats.period.label])
    for key, label, _kind in SCALARS:
        writer.writerow([label, key, _csv_value(getattr(stats, key))])
    for score, n in sorted((stats.satisfaction or {}).items()):
        writer.writerow(["Svar per betyg", str(score), n])
    for day, n in stats.per_day:
        writer.writerow(["Samtal per dag", day.isoformat(), n])
    for w, row in enumerate(stats.per_weekday_hour):
        for hour, n in enumerate(row):
            writer.writerow(["Samtal per veckotimme", f"{WEEKDAYS[w]} {hour:02d}", n])
    for name, n in stats.top_intents:
        writer.writerow(["Vanligaste ämnen", name, n])
    for name, n in stats.top_missed:
        writer.writerow(["Vanligaste obesvarade teman", name, n])
    return out.getvalue()


def _csv_value(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}"
    return value


def format_value(key: str, value: object) -> str:
    """How a figure reads for people: percent, minutes and seconds, or a count."""
    if value is None:
        return "–"
    kind = KINDS.get(key, "count")
    if kind == "rate":
        return f"{float(value) * 100:.1f} %".replace(".", ",")  # type: ignore[arg-type]
    if kind == "seconds":
        return duration(float(value))  # type: ignore[arg-type]
    if kind == "number":
        return f"{float(value):.2f}".replace(".", ",")  # type: ignore[arg-type]
    return str(value)


def duration(seconds: float) -> str:
    total = round(seconds)
    minutes, secs = divmod(total, 60)
    if minutes:
        return f"{minutes} min {secs} s"
    return f"{secs} s"


def to_text(stats: Statistics) -> str:
    """A readable summary for the terminal."""
    lines = [f"Statistik för {stats.period.label}"]
    width = max(len(label) for _key, label, _kind in SCALARS)
    for key, label, _kind in SCALARS:
        lines.append(f"  {label:<{width}}  {format_value(key, getattr(stats, key))}")
    if stats.top_intents:
        lines.append("Vanligaste ämnen:")
        lines.extend(f"  {name}: {n}" for name, n in stats.top_intents)
    if stats.top_missed:
        lines.append("Vanligaste obesvarade teman (DIET:s gissning):")
        lines.extend(f"  {name}: {n}" for name, n in stats.top_missed)
    return "\n".join(lines) + "\n"
