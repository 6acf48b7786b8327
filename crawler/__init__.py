"""Spiders and item pipelines (Scrapy project); see its issue."""
