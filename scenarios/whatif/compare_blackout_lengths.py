"""How much later would the deal have come for each extra day of the mid-November blackout?

A modeler's script using only the public API: the baseline is replayed and measured once, then
one what-if per extra day.  Run: .venv/bin/python scenarios/whatif/compare_blackout_lengths.py
"""

from __future__ import annotations

from pathlib import Path

from sim import load_log
from sim.whatif import prepare, retime, whatif

BASELINE = Path(__file__).resolve().parent.parent / "baseline"


def main() -> None:
    """Print the conclusion time for blackouts 0 to 5 days longer."""
    base = prepare(load_log(BASELINE))
    recorded = base.trajectory.outcome.concluded_at
    print(f"recorded: concluded {recorded}")
    for days in range(6):
        result = whatif(base, [retime(id="blackout-fuel-ended", by=f"+{days}d")])
        outcome = result.outcome
        when = outcome.concluded_at
        delay = when - recorded if when is not None and recorded is not None else None
        print(f"blackout +{days}d: concluded {when} (delay {delay})")


if __name__ == "__main__":
    main()
