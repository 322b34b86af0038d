"""The site built from a hostile repository (tests/hostile_content.py: raw HTML, text that would end
an HTML, JSON or JS context, words and URLs thousands of characters long, RTL, emoji sequences,
huge numbers, in every field the site shows), every page opened in chromium from file:// and over
http under a sub-path: nothing fetched outside the site, no script but the site's own, no console or
page error, no markup of the repository's in the page; at a phone's width nothing wider than the
screen and no serious axe-core violation. `smm preview` and `smm report` HTML pages too.
"""

from __future__ import annotations

from pathlib import Path

import hostile_content
import pytest
from browsing import DESKTOP, PHONE, Origin, run_smm

pytestmark = pytest.mark.browser

NOW = "2026-12-01T10:00"

# What a page shows that the repository may have put there: the site's own scripts are the only ones.
FOREIGN = """() => {
    const found = [], own = /\\/assets\\/(search|search-index|clock)\\.js$/;
    for (const s of document.scripts) if (!own.test(s.src)) found.push('script ' + (s.src || s.text.slice(0, 40)));
    for (const e of document.querySelectorAll('*')) {
        const name = e.localName;
        if (/^(iframe|frame|object|embed|base|form|video|audio|source|picture|math|textarea|template|button|image|use|track|link)$/.test(name)
            && !(name === 'link' && /^(stylesheet|canonical|icon)$/.test(e.rel) && !e.href.includes('evil')))
            found.push('element ' + name);
        if (name === 'input' && e.type !== 'search') found.push('input ' + e.type);
        if (name === 'meta' && e.httpEquiv && e.httpEquiv.toLowerCase() !== 'content-security-policy')
            found.push('meta http-equiv ' + e.httpEquiv);
        for (const a of e.attributes) {
            if (/^on/i.test(a.name)) found.push(name + ' ' + a.name);
            if (/^\\s*(javascript|vbscript|data):/i.test(a.value) && !/^data:image\\//.test(a.value))
                found.push(name + ' ' + a.name + '=' + a.value.slice(0, 40));
            if (a.value.includes('evil.example') && /^(src|srcset|xlink:href|action|formaction|poster|background|data|style|content)$/.test(a.name))
                found.push(name + ' ' + a.name + '=' + a.value.slice(0, 60));
        }
    }
    return found.slice(0, 10);
}"""


@pytest.fixture(scope="session")
def hostile_site(served, tmp_path_factory) -> tuple[Path, list[Path]]:
    """The hostile repository's site in served/hostile/, its preview and report in served/hostile/pages/."""
    repo = hostile_content.write(tmp_path_factory.mktemp("hostile") / "repo")
    site = served[0] / "hostile"
    base = served[1].removesuffix("repo/") + "hostile/"
    built = run_smm("site", "build", "--out", str(site), "--base-url", base, "--now", NOW, cwd=repo)
    pages = sorted(site.rglob("*.html"))
    assert f"site: {len(pages)} pages" in built and "not shown" not in built  # every post passes the schema
    assert len(list(site.glob("posts/*/index.html"))) == len(hostile_content.posts())
    (site / "pages").mkdir()
    for command, *options in (("preview",), ("report", "--now", NOW)):
        pages.append(site / "pages" / f"{command}.html")
        run_smm(command, *options, "--format", "html", out=pages[-1], cwd=repo)
    return site, pages


@pytest.fixture(params=["file", "http"])
def hostile_origin(request, served, hostile_site) -> Origin:
    site = hostile_site[0]
    base = site.as_uri() + "/" if request.param == "file" else served[1].removesuffix("repo/") + "hostile/"
    return Origin(request.param, base, site)


def test_hostile_content_runs_nothing_fetches_nothing_and_fits_a_phone(browser, hostile_site, hostile_origin):
    """From file:// at a desktop's width; over http at a phone's, with axe-core and the page's width."""
    audit = hostile_origin.name == "http"
    browser.resize(PHONE if audit else DESKTOP)
    try:
        problems = browser.survey(hostile_site[1], hostile_origin, audit)
    finally:
        browser.resize(DESKTOP)
    assert not problems, "\n".join(problems)


def test_no_markup_of_the_repository_reaches_a_page(browser, hostile_site, served):
    origin = Origin("http", served[1].removesuffix("repo/") + "hostile/", hostile_site[0])
    problems = []
    for page in hostile_site[1]:
        browser.open(origin.url(page), origin)
        problems += [f"{origin.url(page)}: {found}" for found in browser.page.evaluate(FOREIGN)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("query, shown", [("2026", len(hostile_content.posts())), ("%E0%A4%A", None), ("%", None)],
                         ids=["every post", "a broken escape", "a lone %"])
def test_search_results_of_hostile_titles_fit_a_phone(browser, hostile_site, served, query, shown):
    """The search page listing every post (its results are made in the page, from the index); an address
    whose query is no valid escape searches for it as typed, without a page error."""
    origin = Origin("http", served[1].removesuffix("repo/") + "hostile/", hostile_site[0])
    browser.resize(PHONE)
    try:
        tab = browser.tabs[0]
        tab.page.goto("about:blank")  # else only the address's fragment changes: the page is not loaded again
        tab.open(origin.url(hostile_site[0] / "search" / "index.html") + "#q=" + query, origin)
        found = browser.page.locator("#results li").count()
        tab.start_audit()
        problems = tab.audit()
    finally:
        browser.resize(DESKTOP)
    assert shown is None or found == shown  # every id has the year
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("body, expected", [
    ('<p>Fine. <a href="https://evil.example/">a link out is no markup of its own</a></p>', None),
    ("<script>var x = 1</script>", "script var x = 1"),
    ('<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="" onerror="x()">', "img onerror"),
    ('<iframe title="f"></iframe>', "element iframe"),
    ('<a href="javascript:void(0)">js</a>', "a href=javascript:"),
    ('<p style="background:url(https://evil.example/p.png)">p</p>', "p style="),
    ('<form><input type="text" aria-label="q"></form>', "element form"),
], ids=["clean", "script", "handler", "iframe", "javascript link", "remote style", "form"])
def test_markup_of_the_repository_is_caught(browser, served, body, expected):
    origin = Origin("http", served[1], served[0] / "repo")
    page = origin.folder / "checks" / f"foreign-{len(body)}.html"  # one name each: the browser may keep a page
    page.parent.mkdir(exist_ok=True)
    page.write_text(
        '<!DOCTYPE html><html lang="en"><head><meta http-equiv="Content-Security-Policy" content="script-src \'none\'; '
        f'img-src data:"><title>t</title></head><body>{body}</body></html>', encoding="utf-8")
    browser.open(origin.url(page), origin)
    found = browser.page.evaluate(FOREIGN)
    assert (found == []) if expected is None else any(expected in f for f in found), found
