"""Renderers: each takes a Report and returns text; none of them decides anything."""
