"""Exchange: PLOVER and CAMEO records out, a flat CSV out and back in, with every row checked."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import attrs
import orjson
import pytest
from hypothesis import given

from sim.codes import (
    CAMEO_TEXT,
    CODES,
    PLOVER_CONTEXTS,
    PLOVER_MODES,
    PLOVER_QUAD,
    code_of,
)
from sim.errors import SimError
from sim.events import (
    DECISIONS,
    EVENT_TYPES,
    Announcement,
    Call,
    Condition,
    Contact,
    Event,
    Information,
    MilitaryOperation,
    Offer,
    Release,
    Response,
    Source,
    Terms,
)
from sim.exchange import (
    CSV_COLUMNS,
    cameo_records,
    csv_text,
    plover_problems,
    plover_records,
    read_csv,
    read_csv_text,
    uncodable,
)
from sim.fold import replay
from tests.profiles import budget
from tests.strategies import histories

AT = datetime(2023, 10, 24, 12, tzinfo=UTC)
SEED = Source(document="seed", paragraph=13, quote="يمكن خروج عدد من النساء والأطفال")


def _log() -> tuple[Event, ...]:
    return (
        Contact(
            id="first", at=AT, actors=("qatar_pm",), recipients=("us_white_house",), source=SEED
        ),
        Release(
            id="raanan",
            at=AT,
            precision="day",
            actors=("hamas_gaza_leaders",),
            captor="hamas",
            count=2,
            names=("Judith Raanan", "Natalie Raanan"),
            source=SEED,
            summary="=SUM(A1) looks like a formula",
        ),
        Offer(
            id="conditional",
            at=AT,
            precision="approx",
            earliest=AT,
            latest=datetime(2023, 10, 25, tzinfo=UTC),
            actors=("hamas_gaza_leaders",),
            recipients=("us_mcgurk",),
            text="t1",
            terms=Terms(first_phase="women and children"),
            source=SEED,
            causes=("first",),
        ),
    )


# ------------------------------------------------------------------------------------ the table


def test_every_kind_and_decision_has_a_code() -> None:
    for kind in EVENT_TYPES:
        assert kind in CODES or kind == "response"  # a response is coded by its decision
    for decision in DECISIONS:
        assert f"response/{decision}" in CODES


def test_the_code_table_obeys_the_plover_rules() -> None:
    for key, code in CODES.items():
        assert code.plover in PLOVER_MODES, key
        assert code.mode is None or code.mode in PLOVER_MODES[code.plover], key
        assert code.cameo in CAMEO_TEXT, key
        assert code.cameo.isdigit()
        assert len(code.cameo) in (3, 4)


def test_codes_follow_the_facts_table_for_this_history() -> None:
    """facts.md: release 0841 RETREAT/release, blackout 1721 COERCE/withhold, approval 057."""
    release = _log()[1]
    assert (code_of(release).cameo, code_of(release).plover) == ("0841", "RETREAT")
    assert code_of(release).mode == "release"
    rejected = Response(id="r", at=AT, to="o", decision="rejected", source=SEED)
    assert (code_of(rejected).cameo, code_of(rejected).plover) == ("127", "REJECT")
    condition = Condition(
        id="c", at=AT, name="no_invasion", holder="israel", prohibits="ground_invasion", source=SEED
    )
    assert code_of(condition).cameo == "1056"
    assert code_of(attrs.evolve(condition, prohibits=None)).cameo == "100"
    ended = MilitaryOperation(
        id="m", at=AT, operation="ground_invasion", area="gaza", phase="ended", source=SEED
    )
    assert code_of(ended).plover == "RETREAT"
    statement = Announcement(id="a", at=AT, of_deal=False, source=SEED)
    assert code_of(statement).cameo != CODES["announcement"].cameo


# ------------------------------------------------------------------------------------ PLOVER


def test_plover_records_carry_the_contract_fields() -> None:
    records = plover_records(replay(_log()), context="historical")
    assert [r["id"] for r in records] == ["first", "raanan", "conditional"]
    first = records[0]
    assert first["date"] == "2023-10-24"
    assert first["source"] == [{"code": "QAT", "actor_text": "qatar_pm"}]
    assert first["recipient"] == [{"code": "USA", "actor_text": "us_white_house"}]
    assert first["event"] == "CONSULT"
    assert first["context"] == "historical"
    assert first["cite_info"]["codebook"].startswith("plover")
    assert first["cite_info"]["citation"] == "seed ¶13"
    assert records[1]["mode"] == "release"
    assert "between" in records[2]["comment"]
    assert all(plover_problems(r) == [] for r in records)


def test_a_what_if_exports_as_hypothetical() -> None:
    records = plover_records(replay(_log()), context="hypothetical")
    assert {r["context"] for r in records} == {"hypothetical"}


def test_voided_events_are_not_exported_to_plover() -> None:
    orphan = Response(id="late", at=AT, to="nothing", decision="accepted", source=SEED)
    trajectory = replay((*_log(), orphan))
    assert "late" in trajectory.final.voided
    assert "late" not in {r["id"] for r in plover_records(trajectory, context="historical")}


@budget(40)
@given(histories(min_size=1))
def test_plover_records_of_any_history_follow_the_rules(log: tuple[Event, ...]) -> None:
    trajectory = replay(log)
    records = plover_records(trajectory, context="hypothetical")
    for record in records:
        assert plover_problems(record) == []
    coded = {r["id"] for r in records}
    for event in trajectory.events:
        if event.id not in trajectory.final.voided:
            assert (event.id in coded) == (uncodable(event) is None)


def test_events_plover_cannot_code_are_left_out_with_a_reason() -> None:
    nobody = Contact(id="lights-on", at=AT, source=SEED)
    news = Information(id="news", at=AT, actors=("hamas",), source=SEED)
    assert uncodable(nobody) == "no actor: PLOVER codes no event without a source actor"
    assert uncodable(news) == "no recipient: a PLOVER COOPERATE event needs one"
    records = plover_records(replay((*_log(), nobody, news)), context="historical")
    assert {r["id"] for r in records} == {"first", "raanan", "conditional"}


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"event": "NEGOTIATE"}, "event must be a PLOVER event type"),
        ({"mode": "phone", "event": "AGREE"}, "mode 'phone' is not a mode of AGREE"),
        ({"context": "imaginary"}, "context 'imaginary' is not a PLOVER context"),
        ({"date": "24/10/2023"}, "date must be YYYY-MM-DD"),
        ({"source": []}, "source must be a non-empty list"),
        ({"source": [{"name": "x"}]}, "every source actor needs a code"),
        ({"event": "SANCTION", "mode": "withdraw"}, "a SANCTION event needs a recipient"),
    ],
)
def test_plover_problems_name_each_broken_rule(change: dict[str, object], problem: str) -> None:
    record = {
        "id": "x",
        "date": "2023-10-24",
        "source": [{"code": "QAT"}],
        "event": "CONSULT",
        "context": "historical",
    }
    found = plover_problems({**record, **change})
    assert any(p.startswith(problem) for p in found), found


def test_plover_needs_its_required_fields() -> None:
    assert plover_problems({"id": "x"}) == [
        "missing required field date",
        "missing required field source",
        "missing required field event",
    ]


def test_plover_tables_are_the_codebooks() -> None:
    assert len(PLOVER_MODES) == 16
    assert set(PLOVER_QUAD) == set(PLOVER_MODES)
    assert {"historical", "hypothetical", "future"} <= PLOVER_CONTEXTS


# ------------------------------------------------------------------------------------ CAMEO


def test_cameo_codes_keep_their_leading_zero_as_strings() -> None:
    records = cameo_records(replay(_log()), context="historical")
    text = orjson.dumps(records).decode()
    assert '"cameo":"045"' in text
    assert '"cameo":"0841"' in text
    assert records[1]["source"] == "PSE"
    assert records[0]["target"] == "USA"


# ------------------------------------------------------------------------------------ CSV


def test_csv_round_trips_a_log_exactly() -> None:
    log = _log()
    assert read_csv_text(csv_text(log)) == log


@budget(25)
@given(histories(min_size=1))
def test_csv_round_trips_any_history(log: tuple[Event, ...]) -> None:
    assert read_csv_text(csv_text(log)) == log


def test_csv_escapes_cells_a_spreadsheet_would_run_as_formulas() -> None:
    text = csv_text(_log())
    assert "'=SUM(A1)" in text
    assert ",=SUM" not in text


def test_csv_header_lists_every_column_once() -> None:
    assert len(set(CSV_COLUMNS)) == len(CSV_COLUMNS)
    assert CSV_COLUMNS[:3] == ("kind", "id", "at")
    assert {"source.quote", "channel.via", "terms.pause_days", "alternatives"} <= set(CSV_COLUMNS)


def test_a_hand_written_csv_with_few_columns_and_plain_lists_reads() -> None:
    text = (
        "kind,id,at,actors,source.document,source.paragraph,medium\n"
        "call,c1,2023-11-14T15:00:00+00:00,us_biden; israel_netanyahu,seed,17,phone\n"
    )
    (event,) = read_csv_text(text)
    assert isinstance(event, Call)
    assert event.actors == ("us_biden", "israel_netanyahu")
    assert event.source.paragraph == 17


def _fault(text: str) -> SimError:
    with pytest.raises(SimError) as caught:
        read_csv_text(text, path="events.csv")
    return caught.value


HEAD = "kind,id,at,source.document,count,captor"


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        ("kind,id,source.document\n", 1, None, "missing column 'at'"),
        ("kind,id,at,source.document,colour\n", 1, 5, "unknown column 'colour'"),
        (
            f"{HEAD}\ncontact,a,2023-10-07T12:00:00+00:00,seed,,\ncontact,b,24 October,seed,,\n",
            3,
            3,
            "row 3, column 'at': invalid contact event 'b': at: expected an ISO 8601 time",
        ),
        (
            f"{HEAD}\ncontact,a,2023-10-07T12:00:00,seed,,\n",
            2,
            3,
            "expected a timezone-aware time",
        ),
        (
            f"{HEAD}\nparley,a,2023-10-07T12:00:00+00:00,seed,,\n",
            2,
            1,
            "row 2, column 'kind': unknown event kind 'parley'",
        ),
        (
            f"{HEAD}\nrelease,a,2023-10-07T12:00:00+00:00,seed,two,hamas\n",
            2,
            5,
            "row 2, column 'count': expected a whole number",
        ),
        (
            f"{HEAD}\nrelease,a,2023-10-07T12:00:00+00:00,seed,0,hamas\n",
            2,
            5,
            "row 2, column 'count'",
        ),
        (
            f"{HEAD}\ncontact,a,2023-10-07T12:00:00+00:00,seed,3,\n",
            2,
            5,
            "row 2, column 'count': does not apply to a contact event",
        ),
        (
            "kind,id,at,source.document\nrelease,a,2023-10-07T12:00:00+00:00,seed\n",
            2,
            None,
            "row 2, column 'captor': a release event needs this column",
        ),
        (
            (
                f"{HEAD}\ncontact,a,2023-10-07T12:00:00+00:00,seed,,\n"
                "contact,a,2023-10-08T12:00:00+00:00,seed,,\n"
            ),
            3,
            2,
            "row 3, column 'id': duplicate event id 'a'",
        ),
        (
            "kind,id,at,source.document,causes\ncontact,a,2023-10-07T12:00:00+00:00,seed,later\n",
            2,
            5,
            "row 2, column 'causes': cause 'later' is not the id of an earlier row",
        ),
        (f"{HEAD}\n", None, None, "the CSV has no events"),
    ],
)
def test_bad_rows_are_named_by_file_row_and_column(
    text: str, line: int | None, column: int | None, words: str
) -> None:
    error = _fault(text)
    assert error.path == "events.csv"
    assert error.line == line
    assert error.column == column
    assert words in error.what
    assert error.exit_code == 2


def test_reading_a_missing_csv_names_it(tmp_path: Path) -> None:
    with pytest.raises(SimError, match="no such file"):
        read_csv(tmp_path / "absent.csv")


def test_reading_a_csv_that_is_not_utf8_says_so(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("kind,id,at,source.document\ncontact,é,x,seed\n".encode("latin-1"))
    with pytest.raises(SimError, match="not UTF-8"):
        read_csv(path)


def test_reading_accepts_a_spreadsheet_bom(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbf" + csv_text(_log()).encode())
    assert read_csv(path) == _log()
