"""Exchange with political event data: PLOVER and CAMEO records out, a flat CSV out and back in.

- **PLOVER** (the manual's draft 2.0, :mod:`sim.exchange.plover`): one JSON object per event
  that took effect, with the fields the manual names; :func:`plover_problems` checks a record
  against the manual's rules, :func:`uncodable` says why an event cannot be coded.
- **CAMEO** (:mod:`sim.exchange.cameo`): the same events with their CAMEO verb code, kept as a
  string (``"045"``).
- **CSV** (:mod:`sim.exchange.csv`, its columns in :mod:`sim.exchange.columns`): every field of
  every event, one row per event, so that a spreadsheet can carry a log and :func:`read_csv`
  can rebuild it, every row decoded by the codec as a log line is.

:func:`export` makes the bytes ``sim export`` writes (:mod:`sim.exchange.exporting`);
:func:`import_target` checks where ``sim import`` writes and writes all or nothing
(:mod:`sim.exchange.importing`).  This module is the one name to import from.
"""

from __future__ import annotations

from sim.exchange.base import Context
from sim.exchange.cameo import cameo_records
from sim.exchange.csv import CSV_COLUMNS, MAX_CSV, csv_text, read_csv, read_csv_text
from sim.exchange.exporting import FORMATS, Export, check_format, export
from sim.exchange.importing import ImportTarget, import_target
from sim.exchange.plover import plover_problems, plover_record, plover_records, uncodable

__all__ = [
    "CSV_COLUMNS",
    "FORMATS",
    "MAX_CSV",
    "Context",
    "Export",
    "ImportTarget",
    "cameo_records",
    "check_format",
    "csv_text",
    "export",
    "import_target",
    "plover_problems",
    "plover_record",
    "plover_records",
    "read_csv",
    "read_csv_text",
    "uncodable",
]

# The CSV readers are documented, imported and fuzzed (tests/test_fuzz.py keeps a registry of
# every reader of a user's file) as sim.exchange's: their __module__ says so, as numpy's
# set_module does for the functions it defines in submodules.
read_csv.__module__ = read_csv_text.__module__ = __name__
