"""``fasou sources serve``: the local source site (all five sources) on 127.0.0.1."""

from __future__ import annotations

import time
from pathlib import Path

import typer

from crawler.localsite.corpus import SiteData
from indexer.importers import samples

app = typer.Typer(
    help="The local source site for development, tests and demos.", no_args_is_help=True
)

DEFAULT_LAWS = Path("../shared/data/laws")


@app.command("serve")
def serve_command(
    port: int = typer.Option(8800, "--port"),
    laws: Path = typer.Option(
        None, "--laws", file_okay=False, help="statute Markdown tree (default ../shared/data/laws)"
    ),
    starter: bool = typer.Option(False, "--starter", help="use the starter corpus, not --laws"),
    samples_dir: Path = typer.Option(samples.DEFAULT_DIR, "--samples"),
    no_bad: bool = typer.Option(False, "--no-bad", help="leave out the deliberately bad pages"),
) -> None:
    """Serve realistic pages for flk, court_cases, videos, legal_services, pufa_articles.

    Point crawls at it with FASOU_CRAWL_SITE_URL=http://127.0.0.1:PORT.
    """
    from crawler.localsite.server import serve_forever
    from crawler.localsite.site import SourceSite

    started = time.perf_counter()
    laws_dir = None if starter else (laws or (DEFAULT_LAWS if DEFAULT_LAWS.is_dir() else None))
    data = SiteData.build(laws_dir, samples_dir=samples_dir)
    site = SourceSite(data, bad=not no_bad)
    articles = sum(law.articles() for law in data.laws)
    typer.echo(
        f"local source site from {laws_dir or 'the starter corpus'}: {len(data.laws)} laws "
        f"(~{articles} articles), {len(data.cases)} cases, {len(data.videos)} videos, "
        f"{len(data.services)} services, {len(data.articles)} articles "
        f"(built in {time.perf_counter() - started:.1f} s)\n"
        f"serving on http://127.0.0.1:{port}  (FASOU_CRAWL_SITE_URL=http://127.0.0.1:{port})"
    )
    serve_forever(site, "127.0.0.1", port)
