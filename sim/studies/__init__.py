"""Studies: many what-ifs of one base, drawn from seeded distributions or a grid, reduced to a
table and a summary (issue 11).

- :func:`uncertainty`: every event the record leaves uncertain drawn within its bounds.
- :func:`necessity`: each event removed alone.
- :func:`slack`: each event delayed, by bisection, until the deal moves or fails.
- :func:`study`: a study file's sweep (``[study]`` and ``[[vary]]`` tables).

Each returns a result with ``.frame`` (pandas), ``.summary``, ``.data`` (the JSON the command
prints) and ``.plot()``.  They run in process, or on a Dask cluster (``workers=N`` starts a
local one, ``scheduler="tcp://HOST:8786"`` joins one).  A study is a loop over the what-if
engine (:mod:`sim.whatif`), never a second engine; this package needs the ``study`` extra
(numpy, scipy, SALib, dask[distributed], pandas, pyarrow).

The modules, in the order a study flows through them:

- what a study says (pure): :mod:`~sim.studies.model` (its values), :mod:`~sim.studies.spec`
  (a study file's content checked);
- its design (pure): :mod:`~sim.studies.compiling` (made ready against the base),
  :mod:`~sim.studies.factors`, :mod:`~sim.studies.sampling` (the unit cube),
  :mod:`~sim.studies.design` (a row: a what-if, measured), :mod:`~sim.studies.columns`;
- running it: :mod:`~sim.studies.tasks` (pure: any range of rows), and at the edge
  :mod:`~sim.studies.bases` (its base, read), :mod:`~sim.studies.execute` (in process or on
  Dask) and :mod:`~sim.studies.running` (options, progress, the two passes);
- its answers (pure): :mod:`~sim.studies.summary`, :mod:`~sim.studies.sensitivity`,
  :mod:`~sim.studies.answers` (the JSON), :mod:`~sim.studies.results`;
- the calls themselves: :mod:`~sim.studies.api`.
"""

from __future__ import annotations

from sim.studies.api import Reporter, necessity, read_study, slack, study, uncertainty
from sim.studies.results import NecessityResult, SlackResult, StudyResult, UncertaintyResult
from sim.studies.spec import StudySpec, parse_study

__all__ = [
    "NecessityResult",
    "Reporter",
    "SlackResult",
    "StudyResult",
    "StudySpec",
    "UncertaintyResult",
    "necessity",
    "parse_study",
    "read_study",
    "slack",
    "study",
    "uncertainty",
]
