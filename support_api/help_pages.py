"""Blueprint `help_pages`: the public help center, server-rendered HTML at /help/.

Readers need no account and no JavaScript: every page is plain HTML rendered here from the
database's answers, called with the project's anon key (published articles are everyone's,
`private.anonymous_reads`). The pages:

- ``/help/?lang=fr``: the search form and the articles by category (`help_center_articles`);
- ``/help/search?q=...&lang=fr``: the articles that may answer a question (`suggest_articles`);
- ``/help/articles/<slug>?lang=fr``: one article (`help_article`), its body as the database
  rendered it (``body_html``, made safe there: supabase/migrations/*_create_help_markdown.sql).

The language falls back as the database does (the tag, its language, the default locale).
Every page sends a Content-Security-Policy without any script source: even if markup slipped
through the renderer, a browser would run no script on these pages.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import groupby
from typing import Any

from flask import Blueprint, current_app, render_template_string, request
from markupsafe import Markup

from support_api.postgrest import get_postgrest

bp = Blueprint("help_pages", __name__, url_prefix="/help")

SEARCH_RESULTS = 10
MAX_QUESTION = 200
CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src 'self' https:; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")

LAYOUT = """<!doctype html>
<html lang="{{ lang }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }} · Help center</title>
<style>
  body { font: 1rem/1.5 system-ui, sans-serif; margin: 0; color: #1a1a1a; background: #fff; }
  header, main, footer { max-width: 46rem; margin: 0 auto; padding: 1rem; }
  header { border-bottom: 1px solid #ccc; }
  a { color: #0b57d0; }
  .skip { position: absolute; left: -999px; }
  .skip:focus { left: 1rem; top: 1rem; background: #fff; padding: .5rem; }
  form.search { display: flex; gap: .5rem; flex-wrap: wrap; margin: 1rem 0; }
  form.search input { flex: 1 1 14rem; font: inherit; padding: .4rem; border: 1px solid #555; }
  form.search button { font: inherit; padding: .4rem 1rem; }
  pre { background: #f3f3f3; padding: .75rem; overflow-x: auto; }
  .muted { color: #555; }
  nav.languages ul { list-style: none; padding: 0; display: flex; gap: 1rem; }
</style>
</head>
<body>
<a class="skip" href="#content">Skip to content</a>
<header>
  <p><a href="{{ url_for('help_pages.index', lang=lang) }}">Help center</a></p>
  <nav class="languages" aria-label="Languages"><ul>
  {% for code, name in languages %}
    <li><a href="{{ url_for(request.endpoint, lang=code, **request.view_args) }}"
           {% if code == lang %}aria-current="true"{% endif %} lang="{{ code }}">{{ name }}</a></li>
  {% endfor %}
  </ul></nav>
  <form class="search" role="search" method="get" action="{{ url_for('help_pages.search') }}">
    <label for="q">Search the help center</label>
    <input id="q" name="q" type="search" value="{{ question }}" maxlength="200" required>
    <input type="hidden" name="lang" value="{{ lang }}">
    <button type="submit">Search</button>
  </form>
</header>
<main id="content">
{{ content }}
</main>
</body>
</html>"""

INDEX = """<h1>How can we help?</h1>
{% for category, articles in categories %}
<section aria-labelledby="category-{{ category }}">
  <h2 id="category-{{ category }}">{{ category | replace('-', ' ') | capitalize }}</h2>
  <ul>
  {% for article in articles %}
    <li><a href="{{ url_for('help_pages.article', slug=article.slug, lang=lang) }}"
           lang="{{ article.locale }}">{{ article.title }}</a></li>
  {% endfor %}
  </ul>
</section>
{% else %}
<p>No article is published yet.</p>
{% endfor %}"""

SEARCH = """<h1>Search results</h1>
{% if results %}
<p>{{ results | length }} article{{ '' if results | length == 1 else 's' }}
   for “{{ question }}”.</p>
<ol>
{% for article in results %}
  <li><a href="{{ url_for('help_pages.article', slug=article.slug, lang=lang) }}"
         lang="{{ article.locale }}">{{ article.title }}</a>
      <p class="muted">{{ article.excerpt }}…</p></li>
{% endfor %}
</ol>
{% else %}
<p>No article matches “{{ question }}”. Try other words, or contact support.</p>
{% endif %}"""

ARTICLE = """<article lang="{{ article.locale }}">
<h1>{{ article.title }}</h1>
{% if not article.requested_locale_found %}
<p class="muted" lang="en">Not translated yet: here it is in its original language.</p>
{% endif %}
{{ article.body_html | safe }}
<p class="muted">Updated {{ article.updated_at[:10] }} ·
  <a href="{{ url_for('help_pages.index', lang=lang) }}">All articles</a></p>
</article>"""

NOT_FOUND = """<h1>Article not found</h1>
<p>There is no published article at this address.
<a href="{{ url_for('help_pages.index', lang=lang) }}">See all articles</a>.</p>"""


def _call(function: str, body: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A help center RPC called as an anonymous reader; its rows."""
    anon_key = current_app.config["SUPPORT_API_SETTINGS"].anon_key
    result = get_postgrest().rpc(function, jwt=anon_key, body=dict(body))
    if not result.ok:
        raise RuntimeError(f"{function} answered {result.status}")
    rows = result.json()
    return rows if isinstance(rows, list) else []


def _lang() -> str:
    wanted = request.args.get("lang", "")
    return wanted if 0 < len(wanted) <= 35 and wanted.replace("-", "").isalnum() else "en"


Page = tuple[str, int, dict[str, str]]


def _page(title: str, template: str, status: int = 200, **context: Any) -> Page:
    lang = context.pop("lang")
    content = render_template_string(template, lang=lang, **context)
    html = render_template_string(
        LAYOUT, title=title, lang=lang, content=Markup(content),  # rendered, escaped, above
        question=context.get("question", ""), languages=(("en", "English"), ("fr", "Français")),
    )
    headers = {"Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": CSP,
               "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}
    return html, status, headers


@bp.get("/")
def index() -> Page:
    lang = _lang()
    rows = sorted(_call("help_center_articles", {"locale": lang}),
                  key=lambda row: (row["category"], row["title"].casefold()))
    categories = [(name, list(group)) for name, group in groupby(rows, key=lambda r: r["category"])]
    return _page("How can we help?", INDEX, lang=lang, categories=categories)


@bp.get("/search")
def search() -> Page:
    lang = _lang()
    question = request.args.get("q", "")[:MAX_QUESTION].strip()
    results = _call("suggest_articles", {"query": question, "locale": lang,
                                         "page_size": SEARCH_RESULTS}) if question else []
    return _page("Search", SEARCH, lang=lang, question=question, results=results)


@bp.get("/articles/<slug>")
def article(slug: str) -> Page:
    lang = _lang()
    found = _call("help_article", {"slug": slug[:80], "locale": lang})
    if not found:
        return _page("Article not found", NOT_FOUND, 404, lang=lang)
    return _page(found[0]["title"], ARTICLE, lang=lang, article=found[0])
