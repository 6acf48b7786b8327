"""Scrapy settings: polite by default, for the real sites.

The local source site (``FASOU_CRAWL_SITE_URL``) gets ``LOCAL_SITE`` on top:
it is our own process on loopback, built to take the load, so there the crawl
runs as fast as the machine allows (still obeying robots.txt). AutoThrottle is
off there: it never lowers its delay on a non-200 answer, so a recrawl of 304s
would only ever slow down against a server that needs no protecting.
"""

BOT_NAME = "fasou"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

USER_AGENT = (
    "fasou-crawler/0.1 (+https://github.com/fasou/fasou; open-source legal-education search; "
    "polite, obeys robots.txt)"
)
ROBOTSTXT_OBEY = True

# Politeness towards government sites: few parallel requests per host, adaptive delay.
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
DOWNLOAD_DELAY_JITTER = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 5 * 1024 * 1024  # a "page" beyond 5 MB is not a page we want
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
DOWNLOAD_FAIL_ON_DATALOSS = True

RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_BACKOFF_BASE = 2.0  # seconds before the first retry; doubles per attempt
RETRY_BACKOFF_MAX = 60.0
REDIRECT_MAX_TIMES = 10

# Items a response yields, processed in parallel. Every pipeline here is synchronous, so
# parallelism buys nothing — and Scrapy starts this many asyncio tasks per response,
# whatever it yields (100 by default: a third of the crawl's CPU went into them).
CONCURRENT_ITEMS = 1

# Scrapy re-reads and parses a callback's source for every response to warn about
# ``return value`` in generators (its cache is keyed by the bound method, new per request).
# Our callbacks are fixed and golden-tested.
WARN_ON_GENERATOR_RETURN_VALUE = False

# Scrapy's byte counters (request/response sizes re-measured per page) feed nothing here:
# each run's counts live in ``crawl_runs``.
DOWNLOADER_STATS = False

HTTPCACHE_ENABLED = False  # conditional requests do the caching, against the ledger
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False  # no listening port in a crawl process

DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.SkipSettledMiddleware": 50,
    "crawler.middlewares.RetryBackoffMiddleware": 545,
    "crawler.middlewares.ConditionalRequestMiddleware": 580,
    "crawler.middlewares.RedirectLoopMiddleware": 650,
}
ITEM_PIPELINES = {
    "crawler.pipelines.clean.CleanPipeline": 100,
    "crawler.pipelines.extract.ExtractPipeline": 200,
    "crawler.pipelines.validate.ValidatePipeline": 300,
    "crawler.pipelines.quarantine.QuarantinePipeline": 400,
    "crawler.pipelines.dedup.DedupPipeline": 500,
    "crawler.pipelines.store.StorePipeline": 600,
}
DUPEFILTER_CLASS = "crawler.dupefilter.CanonicalDupeFilter"
# JOBDIR queue written when the crawl stops, not per request (see crawler/queues.py).
SCHEDULER_DISK_QUEUE = "crawler.queues.StoppedToDiskQueue"
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.FifoMemoryQueue"
DEPTH_PRIORITY = 0

DEFAULT_DROPITEM_LOG_LEVEL = "INFO"
LOG_LEVEL = "WARNING"
FEED_EXPORT_ENCODING = "utf-8"

#: Applied on top when the crawl targets the local source site.
LOCAL_SITE = {
    "CONCURRENT_REQUESTS": 32,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 32,
    "DOWNLOAD_DELAY": 0,
    "DOWNLOAD_DELAY_JITTER": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "RETRY_BACKOFF_BASE": 0.2,
    "RETRY_BACKOFF_MAX": 1.0,
}
