"""Read-side arithmetic shared by every front end: trends, significance and the weekly briefing.

Imports only `store/`; the dashboard, the CLI and the ingest (for alerts) call it.
"""
