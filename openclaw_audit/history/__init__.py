"""Run history in SQLite (scheduled-scans.md §3): runs, findings across runs, drift.

Standard library only (sqlite3). Imported by the face only when ``--history`` is given or a
``history`` command runs, so the plain static path never pays for it.
"""
