"""Exchange: PLOVER and CAMEO records out, a flat CSV out and back in, with every row checked."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import attrs
import jsonschema
import orjson
import pytest
from hypothesis import given

from sim.codes import (
    CAMEO,
    CODEBOOK,
    PLOVER_CONTEXTS,
    PLOVER_MODES,
    PLOVER_NEEDS_RECIPIENT,
    PLOVER_QUAD,
    code_of,
    entities,
)
from sim.errors import SimError
from sim.events import (
    DECISIONS,
    EVENT_TYPES,
    Announcement,
    Call,
    Condition,
    Contact,
    Decision,
    Event,
    Information,
    MilitaryOperation,
    Offer,
    Release,
    Response,
    Source,
    Term,
)
from sim.exchange import (
    CSV_COLUMNS,
    cameo_records,
    csv_text,
    export,
    import_target,
    plover_problems,
    plover_records,
    read_csv,
    read_csv_text,
    uncodable,
)
from sim.fold import Log, Trajectory, replay
from sim.manifest import derive
from sim.scenario import load_scenario
from sim.store import load_log, read_manifest, verify
from tests.plover import schema as manual
from tests.profiles import budget
from tests.strategies import histories

AT = datetime(2023, 10, 24, 12, tzinfo=UTC)
_BASELINE_MANIFEST = read_manifest("scenarios/baseline")
assert _BASELINE_MANIFEST is not None
M = _BASELINE_MANIFEST
"""The baseline's manifest: who codes as what in these tests."""


def _coded_replay(events: tuple[Event, ...]) -> Trajectory:
    """The replay of ``events`` as a log of the baseline's scenario (its manifest codes them)."""
    return replay(Log(events=events, manifest=M))


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
            terms=(Term(name="first_phase", value="women and children"),),
            source=SEED,
            answers=("first",),
        ),
    )


# ------------------------------------------------------------------------------------ the table

_TRANSLATION = {  # the manual's "CAMEO to PLOVER translation" (tab:xlate), by cue category
    "03": "AGREE", "04": "CONSULT", "05": "SUPPORT", "06": "COOPERATE", "07": "AID",
    "09": "ACCUSE", "10": "REQUEST", "11": "ACCUSE", "12": "REJECT", "13": "THREATEN",
    "14": "PROTEST", "15": "MOBILIZE", "16": "SANCTION", "17": "COERCE", "18": "ASSAULT",
    "19": "ASSAULT",
}  # fmt: skip


def _translated(cameo: str) -> str | None:
    if cameo[:2] in ("01", "02"):
        return None  # "dropped"
    if cameo[:2] == "08":
        return "CONCEDE" if cameo[:3] in ("081", "082", "083") else "RETREAT"
    return _TRANSLATION[cameo[:2]]


def test_every_kind_and_decision_has_a_code() -> None:
    for kind, cls in EVENT_TYPES.items():
        if kind != "response":
            assert code_of(_example(cls), M).cameo in CAMEO, kind
    for decision in DECISIONS:
        event = Response(id="r", at=AT, to="o", decision=cast("Decision", decision), source=SEED)
        assert code_of(event, M).cameo in CAMEO, decision


def _example(cls: type[Event]) -> Event:
    fields: dict[str, dict[str, Any]] = {
        "contact": {}, "channel_opened": {"name": "cell"}, "call": {}, "meeting": {},
        "release": {"captor": "hamas", "count": 1}, "offer": {"text": "t1"},
        "condition": {"name": "c", "holder": "israel"}, "assurance": {"about": "a"},
        "military_operation": {"operation": "o", "area": "gaza"},
        "blackout_started": {"area": "gaza"}, "blackout_ended": {"area": "gaza"},
        "talks_suspended": {}, "talks_resumed": {}, "information": {},
        "approval": {"body": "israel_cabinet", "text": "t1"}, "announcement": {},
    }  # fmt: skip
    kind = str(attrs.fields_dict(cls)["kind"].default)
    event: Event = cls(id="x", at=AT, source=SEED, **fields[kind])
    return event


def test_each_cameo_code_reads_in_plover_as_the_manual_translates_it() -> None:
    """tab:xlate: the cue category decides the event type; 0871 is the one documented
    exception (a declared truce is CONCEDE, per the manual's CONCEDE)."""
    for cameo, code in CAMEO.items():
        expected = "CONCEDE" if cameo == "0871" else _translated(cameo)
        assert code.plover == expected, cameo
        assert code.cameo == cameo
        assert cameo.isdigit()
        assert len(cameo) in (3, 4)


def test_the_code_table_uses_only_plover_2_modes_and_contexts() -> None:
    for cameo, code in CAMEO.items():
        if code.plover is None:
            assert code.mode is None, cameo
            assert code.context is None, cameo
            continue
        assert code.mode is None or code.mode in PLOVER_MODES[code.plover], cameo
        assert code.context is None or code.context in PLOVER_CONTEXTS, cameo


def test_the_vocabulary_tables_are_the_manuals() -> None:
    """sim.codes against the tables transcribed from the manual in tests/plover/schema.py."""
    assert {k: set(v) for k, v in PLOVER_MODES.items()} == {
        k: set(v) for k, v in manual.MODES.items()
    }
    assert set(PLOVER_CONTEXTS) == {*manual.CONTEXTS, *manual.AUXILIARY}
    assert set(PLOVER_NEEDS_RECIPIENT) == set(manual.REQUIRES_RECIPIENT)
    assert {e: q for q, events in manual.QUAD.items() for e in events} == PLOVER_QUAD
    for party in M.parties:
        assert party.sector is None or party.sector in manual.SECTORS
    for actor in M.actors:
        assert actor.sector is None or actor.sector in manual.SECTORS


def _coded(event: Event) -> str:
    return code_of(event, M).cameo


def test_mediation_is_a_third_party_meeting_belligerents() -> None:
    """CAMEO 045: "The source is always the mediator and adversaries are the targets"."""
    first = Contact(id="c", at=AT, actors=("qatar",), recipients=("us_white_house",), source=SEED)
    assert _coded(first) == "040"  # Qatar contacts the White House: no adversary as target
    assert _coded(attrs.evolve(first, recipients=("hamas_gaza_leaders",))) == "045"
    offer = Offer(
        id="o", at=AT, actors=("qatar_emir",), recipients=("hamas_gaza_leaders",), text="t",
        source=SEED,
    )  # fmt: skip
    assert _coded(offer) == "045"  # a mediator's text: not an offer to release anyone


def test_settling_and_rejecting_a_plan_are_between_adversaries() -> None:
    """CAMEO 037 and 127 need adversaries as source and target, not a mediator as target."""
    to_mediator = Response(
        id="r", at=AT, to="o", decision="accepted", actors=("hamas_gaza_leaders",),
        recipients=("qatar",), source=SEED,
    )  # fmt: skip
    assert _coded(to_mediator) == "030"
    assert _coded(attrs.evolve(to_mediator, recipients=("israel",))) == "037"
    assert _coded(attrs.evolve(to_mediator, decision="rejected")) == "120"
    assert _coded(attrs.evolve(to_mediator, decision="rejected", recipients=("israel",))) == "127"


def test_offers_to_release_come_from_a_party_holding_captives() -> None:
    """CAMEO 0353 is an offer by a belligerent whose terms free people (``hostages``,
    ``release``, ...); one that only pauses is 0356; one with neither is an intent to settle
    (037 to an adversary, else 030); a third party's is mediation."""
    release = (Term(name="release", value="women and children"),)
    hamas = Offer(
        id="o", at=AT, actors=("hamas_gaza_leaders",), text="t", source=SEED, terms=release
    )
    assert _coded(hamas) == "0353"
    assert _coded(attrs.evolve(hamas, terms=(Term(name="hostages", value=50),))) == "0353"
    assert _coded(attrs.evolve(hamas, terms=(Term(name="pause_days", value=4),))) == "0356"
    settle = attrs.evolve(hamas, terms=(Term(name="zones", value=23),))
    assert _coded(settle) == "030"
    assert _coded(attrs.evolve(settle, recipients=("israel",))) == "037"
    us = attrs.evolve(hamas, actors=("us_biden",), recipients=("israel_netanyahu",))
    assert _coded(us) == "045"
    assert _coded(attrs.evolve(us, recipients=("qatar",))) == "030"


def test_messages_are_talk_and_news_of_captives_is_information_shared() -> None:
    """CAMEO 064 is material cooperation: the sharing of information, not a verbal message."""
    message = Information(
        id="i", at=AT, actors=("us_officials",), recipients=("israel",), source=SEED
    )
    assert _coded(message) == "040"
    assert _coded(attrs.evolve(message, captor="hamas", count=50)) == "064"


def test_a_truce_is_declared_by_a_belligerent_and_reported_by_a_mediator() -> None:
    """CAMEO 0871 needs a belligerent as source; a mediator announcing the deal reports it
    finalized (057); a statement that is not the deal has no PLOVER category."""
    announced = Announcement(id="a", at=AT, actors=("qatar",), source=SEED)
    assert _coded(announced) == "057"
    assert _coded(attrs.evolve(announced, actors=("israel",))) == "0871"
    assert code_of(attrs.evolve(announced, actors=("israel",)), M).plover == "CONCEDE"
    statement = attrs.evolve(announced, of_deal=False)
    assert uncodable(statement, M) == "CAMEO 010 (Make statement) has no PLOVER category"


def test_adapting_an_operation_is_not_using_force() -> None:
    """CAMEO 190 is a use of force; a plan made gradual for a pause is intent to de-escalate."""
    operation = MilitaryOperation(
        id="m", at=AT, actors=("israel_army",), operation="ground_invasion", area="gaza",
        source=SEED,
    )  # fmt: skip
    assert _coded(operation) == "190"
    assert _coded(attrs.evolve(operation, phase="adapted")) == "0356"
    assert code_of(attrs.evolve(operation, phase="ended"), M).plover == "RETREAT"


def test_codes_follow_the_facts_table_for_this_history() -> None:
    """facts.md: release 0841 RETREAT/release, blackout 1721 COERCE/withhold, approval 057,
    demands 1056 and 100 (REQUEST in PLOVER 2.0), ending talks 164 SANCTION."""
    release = _log()[1]
    assert (code_of(release, M).cameo, code_of(release, M).plover, code_of(release, M).mode) == (
        "0841", "RETREAT", "release",
    )  # fmt: skip
    condition = Condition(
        id="c", at=AT, name="no_invasion", holder="israel", prohibits="ground_invasion", source=SEED
    )
    assert (code_of(condition, M).cameo, code_of(condition, M).plover) == ("1056", "REQUEST")
    assert code_of(attrs.evolve(condition, prohibits=None), M).cameo == "100"
    blackout = _example(EVENT_TYPES["blackout_started"])
    assert (code_of(blackout, M).cameo, code_of(blackout, M).mode) == ("1721", "withhold")


# ------------------------------------------------------------------------------------ PLOVER

_VALIDATOR = jsonschema.Draft202012Validator(orjson.loads(manual.path().read_bytes()))
_EXTENSIONS = {"cameo"}  # sim's own top-level field; the manual lets providers add named fields
_CITE_EXTENSIONS = {"quote"}


def _schema_errors(record: Mapping[str, Any]) -> list[str]:
    return [f"{'/'.join(map(str, e.path))}: {e.message}" for e in _VALIDATOR.iter_errors(record)]


def _conforms(record: dict[str, Any]) -> None:
    assert _schema_errors(record) == [], record["id"]
    assert plover_problems(record) == [], record["id"]
    assert set(record) <= {*manual.FIELDS, *_EXTENSIONS}, record["id"]
    assert set(record["cite_info"]) <= {*manual.CITE_INFO, *_CITE_EXTENSIONS}
    for entity in (*record["actor"], *record.get("recipient", ())):
        assert set(entity) <= set(manual.ENTITY), record["id"]


def test_the_stored_schema_is_the_one_generated_from_the_manual() -> None:
    jsonschema.Draft202012Validator.check_schema(_VALIDATOR.schema)
    assert manual.path().read_text(encoding="utf-8") == manual.text()


def test_every_record_of_the_recorded_history_validates_against_the_schema() -> None:
    trajectory = replay(load_log("scenarios/baseline"))
    records = plover_records(trajectory, context="historical")
    coded = [e for e in trajectory.events if not uncodable(e, M)]
    assert len(records) == len(coded) >= 40
    for record in records:
        _conforms(record)


@pytest.mark.parametrize("name", sorted(p.name for p in Path("scenarios/whatif").glob("*.toml")))
def test_every_record_of_every_what_if_validates_against_the_schema(name: str) -> None:
    trajectory = load_scenario(Path("scenarios/whatif") / name).trajectory
    records = plover_records(trajectory, context="hypothetical")
    assert records
    for record in records:
        _conforms(record)
        assert "hypothetical" in record["context"]


def test_plover_records_carry_the_contract_fields() -> None:
    records = plover_records(_coded_replay(_log()), context="historical")
    assert [r["id"] for r in records] == ["first", "raanan", "conditional"]
    first = records[0]
    assert first["date"] == "2023-10-24"
    assert first["actor"] == [{"code": "QAT", "sector": "GOV", "entity_text": "qatar_pm"}]
    assert first["recipient"] == [{"code": "USA", "sector": "GOV", "entity_text": "us_white_house"}]
    assert first["event"] == ["CONSULT"]
    assert first["context"] == ["historical"]
    assert first["cite_info"]["codebook"] == CODEBOOK == "plover-2.0-draft"
    assert first["cite_info"]["citation"] == "seed ¶13"
    assert records[1]["mode"] == ["release"]
    assert records[1]["context"] == ["legal", "historical"]
    assert records[1]["event_text"] == ["=SUM(A1) looks like a formula"]
    assert "between" in records[2]["comment"]
    for record in records:
        _conforms(record)


def test_actors_carry_the_sector_the_data_gives_them() -> None:
    """The army is MIL, the intelligence services SPY, a cabinet GOV; Hamas is named."""
    assert entities("israel_army", M) == [
        {"code": "ISR", "sector": "MIL", "entity_text": "israel_army"}
    ]
    assert entities("israel_mossad", M)[0]["sector"] == "SPY"
    assert entities("us_burns", M)[0]["sector"] == "SPY"
    assert entities("israel_war_cabinet", M)[0]["sector"] == "GOV"
    assert entities("hamas_gaza_leaders", M) == [
        {"code": "PSE", "identifier_text": "Hamas", "entity_text": "hamas_gaza_leaders"}
    ]


def test_the_hostage_cell_is_coded_as_both_its_parties() -> None:
    """No made-up code: the US-Israeli cell is a compound actor of USA and ISR."""
    assert [e["code"] for e in entities("hostage_cell", M)] == ["USA", "ISR"]
    records = plover_records(replay(load_log("scenarios/baseline")), context="historical")
    codes = {e["code"] for r in records for e in (*r["actor"], *r.get("recipient", ()))}
    assert codes == {"QAT", "USA", "ISR", "EGY", "PSE"}


def test_an_actor_of_an_unknown_party_is_not_given_a_made_up_code() -> None:
    stranger = Contact(id="s", at=AT, actors=("jordan_king",), source=SEED)
    assert entities("jordan_king", M) == []
    assert uncodable(stranger, M) == (
        "no PLOVER code for the party of jordan_king: jordan (not in the manifest's [[party]] "
        "plover)"
    )
    assert uncodable(stranger, derive([stranger])) == (
        "no PLOVER code for the party of jordan_king: jordan (no manifest)"
    )


def test_a_what_if_exports_as_hypothetical() -> None:
    records = plover_records(_coded_replay(_log()), context="hypothetical")
    assert {r["context"][-1] for r in records} == {"hypothetical"}


def test_voided_events_are_not_exported_to_plover() -> None:
    orphan = Response(id="late", at=AT, to="nothing", decision="accepted", source=SEED)
    trajectory = replay((*_log(), orphan))
    assert "late" in trajectory.final.voided
    assert "late" not in {r["id"] for r in plover_records(trajectory, context="historical")}


@budget(20)
@given(histories(min_size=1))
def test_plover_records_of_any_history_validate_against_the_schema(log: tuple[Event, ...]) -> None:
    trajectory = _coded_replay(log)
    records = plover_records(trajectory, context="hypothetical")
    for record in records:
        _conforms(record)
    coded = {r["id"] for r in records}
    for event in trajectory.events:
        if event.id not in trajectory.final.voided:
            assert (event.id in coded) == (uncodable(event, M) is None)


def test_events_plover_cannot_code_are_left_out_with_a_reason() -> None:
    nobody = Contact(id="lights-on", at=AT, source=SEED)
    news = Information(id="news", at=AT, actors=("hamas",), captor="hamas", source=SEED)
    assert uncodable(nobody, M) == "no actor: PLOVER codes no event without an actor"
    assert uncodable(news, M) == "no recipient: a PLOVER COOPERATE event needs one"
    records = plover_records(_coded_replay((*_log(), nobody, news)), context="historical")
    assert {r["id"] for r in records} == {"first", "raanan", "conditional"}


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"event": ["NEGOTIATE"]}, "event must list PLOVER event types"),
        ({"event": "CONSULT"}, "event must be a list of strings"),
        ({"event": ["DEMAND"]}, "event must list PLOVER event types"),
        ({"mode": ["phone"], "event": ["AGREE"]}, "mode 'phone' is not a mode of AGREE"),
        ({"context": ["political"]}, "context 'political' is not a PLOVER context"),
        ({"context": "historical"}, "context must be a list of strings"),
        ({"date": "24/10/2023"}, "date must be YYYY-MM-DD"),
        ({"actor": []}, "actor must be a non-empty list"),
        ({"actor": [{"name": "x"}]}, "every actor entity needs a code"),
        ({"event": ["SANCTION"], "mode": ["withdraw"]}, "a SANCTION event needs a recipient"),
        ({"quad_code": 2}, "quad_code of CONSULT is 1"),
    ],
)
def test_plover_problems_name_each_broken_rule(change: dict[str, object], problem: str) -> None:
    record = {
        "id": "x",
        "date": "2023-10-24",
        "actor": [{"code": "QAT"}],
        "event": ["CONSULT"],
        "context": ["historical"],
    }
    assert _schema_errors(record) == []
    broken = {**record, **change}
    found = plover_problems(broken)
    assert any(p.startswith(problem) for p in found), found
    assert _schema_errors(broken)  # the schema refuses it too


def test_plover_needs_its_required_fields() -> None:
    assert plover_problems({"id": "x"}) == [
        "missing required field date",
        "missing required field actor",
        "missing required field event",
    ]


def test_the_schema_refuses_what_the_issue_found_in_the_old_export() -> None:
    """A made-up actor code, source/actor_text instead of actor/entity_text, DEMAND, strings."""
    good = plover_records(_coded_replay(_log()), context="historical")[0]
    assert _schema_errors(good) == []
    assert _schema_errors({**good, "actor": [{"code": "HOS"}]})
    assert _schema_errors(
        {k: v for k, v in good.items() if k != "actor"} | {"source": good["actor"]}
    )
    assert _schema_errors({**good, "event": ["DEMAND"]})
    assert _schema_errors({**good, "mode": ["withdraw"], "event": ["PROTEST"]})
    assert _schema_errors({**good, "event": ["AID"], "mode": ["humanitarian"], "quad_code": 2})


# ------------------------------------------------------------------------------------ CAMEO


def test_cameo_codes_keep_their_leading_zero_as_strings() -> None:
    records = cameo_records(_coded_replay(_log()), context="historical")
    text = orjson.dumps(records).decode()
    assert '"cameo":"040"' in text
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
    assert {"source.quote", "channel.via", "terms", "alternatives"} <= set(CSV_COLUMNS)


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
            "row 2, column 'causes': link 'later' is not the id of an earlier row",
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


def test_a_semicolon_delimited_csv_reads_as_excel_saves_it(tmp_path: Path) -> None:
    """Excel in much of Europe saves CSV with ';' (and sometimes a 'sep=;' first line)."""
    comma = csv_text(_log())
    rows = list(csv.reader(io.StringIO(comma)))
    out = io.StringIO()
    csv.writer(out, delimiter=";").writerows(rows)
    semicolon = out.getvalue()
    assert semicolon.splitlines()[0].startswith("kind;id;at;")
    assert read_csv_text(semicolon) == _log()
    assert read_csv_text("sep=;\r\n" + semicolon) == _log()
    tabbed = io.StringIO()
    csv.writer(tabbed, delimiter="\t").writerows(rows)
    assert read_csv_text(tabbed.getvalue()) == _log()
    path = tmp_path / "europe.csv"
    path.write_text(semicolon, encoding="utf-8")
    assert read_csv(path) == _log()


@pytest.mark.parametrize(
    ("text", "column", "index", "words"),
    [
        (
            "kind,id,at,source.document,source.paragraph\ncontact,a,2023-10-07T12:00:00+00:00,seed,0\n",
            "source.paragraph",
            5,
            "'paragraph' must be >= 1: 0",
        ),
        (
            "kind,id,at,source.document,precision\ncontact,a,2023-10-07T12:00:00+00:00,seed,exactly\n",
            "precision",
            5,
            "precision: expected one of 'exact', 'day', 'approx', found 'exactly'",
        ),
        (  # the found text names another column: the field the codec refuses is blamed
            "kind,id,at,source.document\ncontact,a,id,seed\n",
            "at",
            3,
            "at: expected an ISO 8601 time, found 'id'",
        ),
        (
            "kind,id,at,source.document,patience\ncontact,a,2023-10-07T12:00:00+00:00,seed,-1d\n",
            "patience",
            5,
            "patience: expected a positive duration",
        ),
        (
            (
                "kind,id,at,source.document,requires\n"
                'contact,a,2023-10-07T12:00:00+00:00,seed,"[{""id"":""x"",""decision"":""maybe""}]"\n'
            ),
            "requires",
            5,
            "requires: expected a link's decision among",
        ),
    ],
)
def test_a_value_the_codec_refuses_is_named_at_its_column(
    text: str, column: str, index: int, words: str
) -> None:
    error = _fault(text)
    assert error.what.startswith(f"row 2, column {column!r}: invalid contact event 'a': ")
    assert words in error.what
    assert (error.line, error.column, error.code) == (2, index, "invalid-event")
    assert error.hint is not None
    assert "contact takes the fields id, at, source" in error.hint


# ------------------------------------------------------------------------------------ export


def test_a_plover_export_says_which_events_it_left_out_and_why() -> None:
    nobody = Contact(id="lights-on", at=AT, source=SEED)
    news = Information(id="news", at=AT, actors=("hamas",), captor="hamas", source=SEED)
    trajectory = _coded_replay((*_log(), nobody, news))
    done = export(trajectory, "plover", context="historical")
    assert dict(done.skipped) == {"lights-on": uncodable(nobody, M), "news": uncodable(news, M)}
    lines = done.data.splitlines()
    assert [orjson.loads(line)["id"] for line in lines] == ["first", "raanan", "conditional"]
    assert done.records == len(lines)
    cameo = export(trajectory, "cameo", context="historical")
    assert cameo.skipped == {}
    assert cameo.records == len(cameo.data.splitlines()) == len(trajectory.events)
    table = export(trajectory, "csv", context="historical")
    assert read_csv_text(table.data.decode()) == trajectory.events


def test_an_unknown_export_format_is_refused_with_the_known_ones() -> None:
    with pytest.raises(SimError) as caught:
        export(_coded_replay(_log()), "plovr", context="historical")
    assert caught.value.code == "unknown-format"
    assert caught.value.expected == "one of plover, cameo, csv"
    assert caught.value.hint == "did you mean plover?"


# ------------------------------------------------------------------------------------ import


def test_an_import_writes_the_log_and_makes_only_its_own_folder(tmp_path: Path) -> None:
    where = import_target(tmp_path / "mine", force=False)
    assert (where.log, where.create_folder) == (tmp_path / "mine" / "events.jsonl", True)
    head = where.write(_log())
    assert load_log(where.log).events == _log()
    assert verify(where.log).head == head


def test_a_failed_import_leaves_no_folder_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(path: Path, *_: object, **__: object) -> str:
        (path.parent / "events.jsonl.lock").write_bytes(b"")
        raise SimError(what="no space left on the disk", code="disk-full")

    monkeypatch.setattr("sim.store.write_log", full)
    where = import_target(tmp_path / "mine", force=False)
    with pytest.raises(SimError, match="no space"):
        where.write(_log())
    assert list(tmp_path.iterdir()) == []


def test_a_failed_import_over_an_existing_folder_keeps_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("mine", encoding="utf-8")

    def full(*_: object, **__: object) -> str:
        raise SimError(what="no space left on the disk", code="disk-full")

    monkeypatch.setattr("sim.store.write_log", full)
    where = import_target(tmp_path / "mine", force=False)
    assert not where.create_folder
    with pytest.raises(SimError, match="no space"):
        where.write(_log())
    assert [p.name for p in (tmp_path / "mine").iterdir()] == ["notes.txt"]


@pytest.mark.parametrize(
    ("make_output", "code"),
    [
        (lambda tmp: tmp / "absent" / "deeper" / "log", "no-output-folder"),
        (lambda tmp: _written(tmp / "file.txt") / "log.jsonl", "bad-path"),
        (lambda tmp: _written(tmp / "log.jsonl"), "output-exists"),
    ],
)
def test_an_import_target_is_refused_before_anything_is_read(
    tmp_path: Path, make_output: Any, code: str
) -> None:
    output = make_output(tmp_path)
    before = sorted(tmp_path.rglob("*"))
    with pytest.raises(SimError) as caught:
        import_target(output, force=False)
    assert caught.value.code == code
    assert sorted(tmp_path.rglob("*")) == before


def _written(path: Path) -> Path:
    path.write_text("x", encoding="utf-8")
    return path
