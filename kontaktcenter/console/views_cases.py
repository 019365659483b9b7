"""Case search and view (masked), audited original read for registrators, release copy."""

from __future__ import annotations

import asyncio
from datetime import date
from urllib.parse import urlencode

from aiohttp import web

from kontaktcenter.console.auth import account
from kontaktcenter.console.render import render
from kontaktcenter.console.state import state
from kontaktcenter.records import AccessDenied, CaseNotFound, CaseSearch


def _date(value: str, what: str) -> date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{what} ska skrivas ÅÅÅÅ-MM-DD, till exempel 2026-11-27.") from None


PAGE_SIZE = 200


def _page(value: str) -> int:
    try:
        return max(1, min(int(value), 100_000))
    except ValueError:
        return 1


async def search_page(request: web.Request) -> web.Response:
    query = {k: request.query.get(k, "")[:300] for k in ("q", "from", "to")}
    page = _page(request.query.get("sida", "1"))
    found: CaseSearch | None = None
    error = ""
    if any(query.values()):
        try:
            found = await asyncio.to_thread(
                state(request).register.search_cases,
                date_from=_date(query["from"], "Från-datum"),
                date_to=_date(query["to"], "Till-datum"),
                text=query["q"].strip() or None,
                offset=(page - 1) * PAGE_SIZE,
                limit=PAGE_SIZE,
            )
        except ValueError as exc:
            error = str(exc)
    return render(request, "cases.html", cases=found.cases if found else [], found=found,
                  page=page, query=query, error=error, searched=any(query.values()),
                  next_query=urlencode({**query, "sida": page + 1}),
                  prev_query=urlencode({**query, "sida": page - 1}))


async def _detail(request: web.Request):  # type: ignore[no-untyped-def]
    try:
        detail = await asyncio.to_thread(
            state(request).register.get_case, request.match_info["number"]
        )
    except ValueError as exc:
        raise web.HTTPNotFound(text=str(exc)) from None
    if detail is None:
        raise web.HTTPNotFound(text="Ärendet finns inte.")
    return detail


async def case_page(request: web.Request) -> web.Response:
    try:
        detail = await _detail(request)
    except web.HTTPNotFound as exc:
        return render(request, "error.html", status=404, error=exc.text)
    return render(request, "case.html", detail=detail)


async def read_original(request: web.Request) -> web.Response:
    me = account(request)
    form = await request.post()
    try:
        detail = await asyncio.to_thread(
            state(request).register.read_original,
            request.match_info["number"], me.username, me.role, str(form.get("reason") or ""),
        )
    except AccessDenied as exc:
        return render(request, "error.html", status=403, error=str(exc))
    except (CaseNotFound, ValueError) as exc:
        return render(request, "error.html", status=400, error=str(exc))
    return render(request, "case.html", detail=detail)


async def export(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    fmt = str(form.get("format") or "html")
    try:
        document = await asyncio.to_thread(
            state(request).register.export_case,
            request.match_info["number"], fmt,
            requested_by=str(form.get("requested_by") or "")[:200],
            released_by=account(request).username,
        )
    except (CaseNotFound, ValueError) as exc:
        return render(request, "error.html", status=400, error=str(exc))
    number = request.match_info["number"].upper()
    ext, ctype = ("json", "application/json") if fmt == "json" else ("html", "text/html")
    return web.Response(
        text=document, content_type=ctype,
        headers={"Content-Disposition": f'attachment; filename="{number}-utlamnande.{ext}"'},
    )
