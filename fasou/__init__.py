"""法搜 (fasou): cross-cutting pieces — settings, taxonomy, command line."""

__version__ = "0.1.0"
