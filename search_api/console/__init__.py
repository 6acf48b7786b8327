"""The editor console (server-rendered pages)."""
