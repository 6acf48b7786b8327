"""The editor workspace's domain logic: vocabulary, suggestions, bulk jobs and their runner.

Routes (``search_api``) and the console call into here; everything they write
goes through the catalog (``indexer.catalog.tagging`` for tags).
"""
