"""Rendering: the edges that turn trajectories into terminal tables, JSON, charts and reports."""
