"""The crawler: a Scrapy project that writes the catalog (never the index).

``sources/*.yaml`` (real URLs, request shapes, cron) → ``spiders/`` (one module per
source) → ``pipelines/`` (clean, extract, validate, quarantine, dedup, store) →
``writer.CrawlWriter`` (documents + ledger + run counts per transaction). ``runner``
runs crawls (leased, resumable), ``scheduler`` runs them on their cron expressions,
``localsite/`` is the local source site. See docs/architecture.md, "Crawler".
"""
