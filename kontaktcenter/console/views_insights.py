"""Console pages "Statistik" (team lead, registrator) and "Obesvarade frågor" (all staff)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from urllib.parse import parse_qs, urlencode

from aiohttp import web

from kontaktcenter.console.auth import account
from kontaktcenter.console.render import render
from kontaktcenter.console.state import state
from kontaktcenter.insights import charts, report
from kontaktcenter.insights.missed import DECISIONS, NEW_PHRASING, MissedQuestions
from kontaktcenter.insights.period import PRESETS, Period, from_form, preset
from kontaktcenter.insights.stats import WEEKDAYS, Statistics, compute
from kontaktcenter.insights.suggestions import domain_intents
from kontaktcenter.staff.accounts import STATISTICS_ROLES

NOT_ALLOWED = "Statistiken är bara för teamledare och registratorer."


@dataclass
class InsightsState:
    """Services of the two pages, created once per web process."""

    missed: MissedQuestions
    domain_path: str

    @cached_property
    def intents(self) -> list[str]:
        return sorted(domain_intents(Path(self.domain_path)))


INSIGHTS_KEY = web.AppKey("kontaktcenter.console.insights", InsightsState)


def _insights(request: web.Request) -> InsightsState:
    return request.app[INSIGHTS_KEY]


def _period(request: web.Request) -> tuple[Period, dict[str, str], str]:
    """The chosen period, the form's values, and a Swedish error (default period then)."""
    query = {k: request.query.get(k, "").strip()[:20] for k in ("period", "fran", "till")}
    try:
        return from_form(query["period"], query["fran"], query["till"]), query, ""
    except ValueError as exc:
        return preset("7dagar"), query, str(exc)


def _topic(request: web.Request, intent: str) -> str:
    described = state(request).register.topics.describe(intent)
    return f"{described} ({intent})" if described else intent


def _chart_rows(request: web.Request, items: list[tuple[str, int]]) -> list[tuple[str, int]]:
    return [(_topic(request, name), n) for name, n in items]


async def statistics_page(request: web.Request) -> web.StreamResponse:
    if account(request).role not in STATISTICS_ROLES:
        return render(request, "error.html", status=403, error=NOT_ALLOWED)
    period, query, error = _period(request)
    stats: Statistics = await asyncio.to_thread(compute, period, state(request).register.db)
    fmt = request.query.get("format")
    if fmt == "csv":
        return web.Response(text=report.to_csv(stats), content_type="text/csv", charset="utf-8",
                            headers={"Content-Disposition":
                                     f'attachment; filename="statistik-{period.first}.csv"'})
    if fmt == "json":
        return web.Response(text=report.to_json(stats), content_type="application/json")
    intents = _chart_rows(request, stats.top_intents)
    themes = _chart_rows(request, stats.top_missed)
    scores = [(str(s), n) for s, n in sorted((stats.satisfaction or {}).items())]
    per_day = [(d.strftime("%d/%m"), n) for d, n in stats.per_day]
    svg = {
        "per_day": charts.vertical_bars("chart-per-day", "Samtal per dag", per_day),
        "week": charts.week_heatmap("chart-week", "Samtal per veckodag och timme",
                                    [w.capitalize() for w in WEEKDAYS], stats.per_weekday_hour),
        "satisfaction": charts.horizontal_bars(
            "chart-satisfaction", "Svar på \"Fick du hjälp?\" per betyg", scores),
        "intents": charts.horizontal_bars("chart-intents", "Vanligaste ämnen", intents),
        "themes": charts.horizontal_bars("chart-themes", "Vanligaste obesvarade teman", themes),
    }
    export = urlencode({"period": "egen", "fran": period.first.isoformat(),
                        "till": period.last.isoformat()})
    figures = [(key, label, report.format_value(key, getattr(stats, key)))
               for key, label, _kind in report.SCALARS]
    return render(request, "statistics.html", stats=stats, figures=figures, svg=svg,
                  query=query, presets=PRESETS, error=error, export=export,
                  weekdays=WEEKDAYS, intents=intents, themes=themes, scores=scores,
                  duration=report.duration, threshold=f"{stats.threshold:.2f}")


async def missed_page(request: web.Request) -> web.Response:
    return await _missed_response(request)


async def _missed_response(request: web.Request, status: int = 200, message: str = "",
                           error: str = "") -> web.Response:
    period, query, period_error = _period(request)
    show_all = request.query.get("alla") == "1"
    insights = _insights(request)
    groups = await asyncio.to_thread(insights.missed.groups, period, include_reviewed=show_all)
    intents = await asyncio.to_thread(lambda: insights.intents)
    kept = {k: v for k, v in query.items() if v}
    back = urlencode({**kept, **({"alla": "1"} if show_all else {})})
    toggle = urlencode(kept if show_all else {**kept, "alla": "1"})
    return render(request, "missed.html", status=status, groups=groups, query=query,
                  presets=PRESETS, show_all=show_all, period=period,
                  intents=[(i, _topic(request, i)) for i in intents],
                  topic=lambda intent: _topic(request, intent),
                  decisions=DECISIONS, new_phrasing=NEW_PHRASING, back=back, toggle=toggle,
                  message=message, error=error or period_error,
                  threshold=f"{insights.missed.config.missed_confidence_threshold:.2f}")


async def review(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    ids: list[int] = []
    for value in form.getall("message_id", []):
        try:
            ids.append(int(str(value)))
        except ValueError:
            return await _missed_response(request, 400, error="Ogiltigt val av fråga.")
    decision = str(form.get("decision") or "")
    intent = str(form.get("intent") or "") if decision == NEW_PHRASING else None
    insights = _insights(request)
    try:
        await asyncio.to_thread(
            insights.missed.review, ids, decision, by=account(request).username,
            intent=intent, known_intents=set(insights.intents),
        )
    except ValueError as exc:
        return await _missed_response(request, 400, error=str(exc))
    # Back to the same view; only our own query keys survive the round trip.
    back = {k: v[0][:20] for k, v in parse_qs(str(form.get("back") or "")).items()
            if k in ("period", "fran", "till", "alla")}
    raise web.HTTPSeeOther("/console/obesvarade" + (f"?{urlencode(back)}" if back else ""))


def setup(app: web.Application) -> None:
    """The two pages' routes and services (called from the console's setup)."""
    from kontaktcenter.console.state import STATE_KEY

    console = app[STATE_KEY]
    app[INSIGHTS_KEY] = InsightsState(
        missed=MissedQuestions(console.register.db),
        domain_path=str(console.settings.root / "domain.yml"),
    )
    app.router.add_get("/console/statistik", statistics_page)
    app.router.add_get("/console/obesvarade", missed_page)
    app.router.add_post("/console/obesvarade", review)
