"""Notifications of a run's drift (scheduled-scans.md §4): a command or a webhook.

A notification never decides the audit's outcome: failures are warnings. httpx is imported only
when a webhook is actually sent.
"""
