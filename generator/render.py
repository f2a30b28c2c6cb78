"""Render pages with Jinja2: articles (a cached stage), index, 404, credits, feeds."""

from __future__ import annotations

import datetime as dt
import html
import json
import shutil
from pathlib import Path
from xml.sax.saxutils import escape

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateNotFound

from .errors import ContentError
from .figures import kinds as figure_kinds
from .markdown import markdown_parser, read_article, render_body
from .pipeline import ROOT, Context, Request, stage

TEMPLATES = ROOT / "generator" / "templates"
VENDOR_IMPORTS = {
    "three": "vendor/three/three.module.js",
    "d3": "vendor/d3/d3.js",
    "@tensorflow/tfjs": "vendor/tfjs/tf.fesm.min.js",
}


# What the site holds at its top level besides one folder per article (written here and by generator/build.py).
# An article's slug must not be one of these names (without the extension).
SITE_ENTRIES = (
    "index.html",
    "404.html",
    "credits/",
    "favicon.svg",
    ".nojekyll",
    "feed.xml",
    "sitemap.xml",
    "assets/",
    "vendor/",
    "figures/",
    "artifacts/",
    "build-report.json",
)
RESERVED_SLUGS = frozenset(name.strip("/.").split(".")[0] for name in SITE_ENTRIES) - {"nojekyll"}


def environment() -> Environment:
    """The one Jinja2 environment (autoescaping, strict about undefined names)."""
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
        keep_trailing_newline=True,
    )


def importmap(base: str) -> str:
    return json.dumps({"imports": {name: base + path for name, path in VENDOR_IMPORTS.items()}})


def figure_url(base: str, kind: str, digest: str) -> str:
    """Where a figure's payload lives on the site (content-hashed, so caches never go stale)."""
    return f"{base}figures/{kind}-{digest[:10]}/"


def live_kinds(kinds) -> list[str]:
    """The kinds among `kinds` that mount in the page, so the page links their style.css (static kinds have none)."""
    known = figure_kinds()
    return sorted({kind for kind in kinds if not getattr(known.get(kind), "STATIC", False)})


def inline_markdown(text: str) -> str:
    """A caption's inline Markdown as HTML; raw HTML in it is escaped, never passed through."""
    return markdown_parser(html=False).renderInline(text) if text else ""


def _page_inputs(params: dict) -> dict[str, Request]:
    requests = {"math": Request("math", params["math"])}
    for i, (name, figure_params) in enumerate(params["figures"]):
        requests[f"figure{i}"] = Request(name, figure_params)
    return requests


@stage(
    "page",
    inputs=_page_inputs,
    libs=("jinja2", "markdown-it-py", "mdit-py-plugins", "pygments", "npm:katex"),
    sources=(
        "generator/markdown.py",
        "generator/schema.py",
        "generator/figures/__init__.py",
        "generator/templates/**/*.html",
    ),
    label=lambda p: f"render {p['slug']}",
)
def render_article(ctx: Context) -> dict:
    """Render one article to ``<slug>/index.html`` with its images."""
    params = ctx.params
    path = Path(params["path"])
    article = read_article(path)  # the text is in params via its digest; re-parse the same file
    if article.text != params["text"]:
        raise ContentError("changed while the site was building; build again", where=article.where())
    site, base = params["site"], params["site"]["base_url"]
    env = environment()
    math_results = json.loads(ctx.inputs["math"].file("math.json").read_text())
    for (tex, _display, line), result in zip(article.math, math_results):
        if "error" in result:
            raise ContentError(f"math ${tex}$ does not render: {result['error']}", where=article.where(line))
    math_html = [r["html"] for r in math_results]
    figures_html = []
    for block in article.figures:
        payload = ctx.inputs[f"figure{block.index}"]
        fig = {
            "kind": block.kind,
            "anchor": block.anchor,
            "options": block.options,
            "meta": payload.meta,
            "url": figure_url(base, block.kind, payload.digest),
            "caption": inline_markdown(block.caption),
            "alt": block.alt or payload.meta.get("alt", ""),
        }
        try:
            template = env.get_template(f"figures/{block.kind}.html")
        except TemplateNotFound:
            template = env.get_template("figure.html")
        figures_html.append(template.render(fig=fig, base=base))
    body, toc = render_body(article, figures_html, math_html, base, set(params["slugs"]))
    meta = article.meta
    image = None
    if meta.get("thumbnail") and site["url"]:
        image = site["url"].rstrip("/") + f"{base}{article.slug}/{meta['thumbnail']}"
    page = {
        "kind": "article",
        "og_type": "article",
        "title": meta["title"],
        "description": meta["description"],
        "authors": meta["authors"],
        "date": meta.get("date"),
        "draft": meta["draft"],
        "math": bool(article.math),
        "figures": bool(article.figures),
        "image": image,
        "figure_kinds": live_kinds(block.kind for block in article.figures),
        "absolute_url": site["url"].rstrip("/") + f"{base}{article.slug}/" if site["url"] else "",
    }
    out = ctx.out / article.slug
    out.mkdir()
    text = env.get_template("article.html").render(
        site=site, base=base, page=page, body=body, toc=toc, importmap=importmap(base), scale=params["scale"]
    )
    (out / "index.html").write_text(text, encoding="utf-8")
    for src, file in article.images.items():
        target = (out / src).resolve()
        if out.resolve() not in target.parents:
            raise ContentError(
                f"image '{src}' is outside the content folder; move it under content/", where=article.where()
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(file, target)
    return {"slug": article.slug, "toc": len(toc), "figures": len(article.figures)}


def _listing(articles: list[dict], base: str) -> list[dict]:
    items = []
    for a in articles:
        thumb = f"{base}{a['slug']}/{a['thumbnail']}" if a.get("thumbnail") else ""
        items.append({**a, "thumbnail": thumb})
    return items


def render_site_pages(out: Path, site: dict, scale: str, articles: list[dict], sources: list[dict]) -> None:
    """Index, 404, credits, favicon, feed and sitemap (cheap: rendered every build)."""
    env = environment()
    base = site["base_url"]
    common = {"site": site, "base": base, "importmap": importmap(base), "scale": scale}
    pages = {
        "index.html": (
            "index.html",
            {"kind": "index", "title": site["title"], "figures": False, "math": False},
            {"articles": _listing(articles, base)},
        ),
        "404.html": ("404.html", {"kind": "notfound", "title": "Page not found", "figures": False, "math": False}, {}),
        "credits/index.html": (
            "credits.html",
            {"kind": "credits", "title": "Credits", "figures": False, "math": False},
            {"sources": sources},
        ),
    }
    for target, (template, page, extra) in pages.items():
        page = {
            "description": "",
            "authors": [],
            "image": None,
            "absolute_url": "",
            "og_type": "website",
            "figure_kinds": [],
            **page,
        }
        if site["url"] and target != "404.html":
            page["absolute_url"] = site["url"].rstrip("/") + base + target.replace("index.html", "")
        path = out / target
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(env.get_template(template).render(page=page, **common, **extra), encoding="utf-8")
    (out / "favicon.svg").write_text(FAVICON)
    (out / ".nojekyll").write_text("")
    (out / "feed.xml").write_text(atom_feed(site, articles), encoding="utf-8")
    (out / "sitemap.xml").write_text(sitemap(site, articles), encoding="utf-8")


FAVICON = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#1d4ed8"/>\
<circle cx="11" cy="12" r="4" fill="#fff"/><circle cx="21" cy="20" r="4" fill="#fbbf24"/>\
<path d="M11 12 21 20" stroke="#fff" stroke-width="2"/></svg>
"""


def _absolute(site: dict, path: str) -> str:
    origin = site["url"].rstrip("/") if site["url"] else ""
    return f"{origin}{site['base_url']}{path}"


def atom_feed(site: dict, articles: list[dict]) -> str:
    """An Atom feed of the published articles."""

    def stamp(d) -> str:
        return (d or dt.date(2000, 1, 1)).isoformat() + "T00:00:00Z"

    updated = max((stamp(a.get("date")) for a in articles), default=stamp(None))
    entries = []
    for a in articles:
        link = _absolute(site, f"{a['slug']}/")
        authors = "".join(
            f"<author><name>{escape(n)}</name></author>" for n in a["authors"] or [site["author"] or site["title"]]
        )
        entries.append(
            f'<entry><title>{escape(a["title"])}</title><link href="{escape(link)}"/><id>{escape(link)}</id>'
            f"<updated>{stamp(a.get('date'))}</updated>{authors}<summary>{escape(a['description'])}</summary></entry>"
        )
    feed_url = _absolute(site, "feed.xml")
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{escape(site['title'])}</title><subtitle>{escape(site['description'])}</subtitle>"
        f'<link href="{escape(feed_url)}" rel="self"/><link href="{escape(_absolute(site, ""))}"/>'
        f"<id>{escape(_absolute(site, ''))}</id><updated>{updated}</updated>"
        f"<author><name>{escape(site['author'] or site['title'])}</name></author>" + "".join(entries) + "</feed>\n"
    )


def sitemap(site: dict, articles: list[dict]) -> str:
    """sitemap.xml with the index, the credits page and every article."""
    urls = ["", "credits/"] + [f"{a['slug']}/" for a in articles]
    body = "".join(f"<url><loc>{html.escape(_absolute(site, u))}</loc></url>" for u in urls)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</urlset>\n'
