"""The rule book, told as short histories: arrange the events, replay, assert the state."""

from __future__ import annotations

from datetime import timedelta

from sim.events import Channel, Event, Requirement
from sim.fold import Trajectory, replay
from sim.rules import GUARDS
from tests.builders import T0, make

OPENING = (make("contact", "c", 0, milestone="first_contact"),)


def run(*events: Event) -> tuple[dict[str, str], Trajectory]:
    trajectory = replay(OPENING + events)
    return {k: v.text for k, v in trajectory.final.voided.items()}, trajectory


def test_every_kind_has_a_row_in_the_rule_book() -> None:
    from sim.events import KINDS

    assert set(GUARDS) == set(KINDS)


def test_contact_opens_talks_and_reaches_its_milestone() -> None:
    trajectory = replay(OPENING)
    assert trajectory.final.talks == "active"
    assert "first_contact" in trajectory.milestones


def test_an_offer_before_any_contact_waits_for_talks_and_is_voided_when_none_start() -> None:
    trajectory = replay([make("offer", "o", 1, text="v1")])
    refusal = trajectory.final.voided["o"]
    assert refusal.text == "waited 14d: talks never started"
    assert refusal.rule == "talks_active"
    assert refusal.waited == timedelta(days=14)
    wait = trajectory.waits["o"]
    assert (wait.since, wait.until, wait.took_effect) == (
        T0 + timedelta(days=1),
        T0 + timedelta(days=15),
        False,
    )


def test_an_offer_before_the_contact_waits_for_it_and_then_takes_effect() -> None:
    trajectory = replay([make("offer", "o", 1, text="v1"), make("contact", "c", 3)])
    assert not trajectory.final.voided
    assert [e.id for e in trajectory.events] == ["c", "o"]
    assert trajectory.events[1].at == T0 + timedelta(days=3)
    assert trajectory.waits["o"].took_effect


def test_an_event_waits_no_longer_than_its_own_patience() -> None:
    trajectory = replay(
        [make("offer", "o", 1, text="v1", patience=timedelta(hours=6)), make("contact", "c", 3)]
    )
    assert trajectory.final.voided["o"].text == "waited 6h: talks never started"


def test_amending_text_voids_approvals_of_older_versions() -> None:
    voided, trajectory = run(
        make("offer", "o1", 1, text="v1", approvers=("hamas", "israel_cabinet")),
        make("approval", "a1", 2, body="hamas", text="v1"),
        make("offer", "o2", 3, text="v2", approvers=("hamas", "israel_cabinet")),
        make("approval", "a2", 4, body="israel_cabinet", text="v2"),
    )
    final = trajectory.final
    assert final.approvals["a1"].status == "superseded"
    assert final.approvals["a2"].status == "bound"
    assert final.talks == "active"  # hamas's approval of v1 does not count for v2
    assert not voided


def test_approving_an_older_text_is_voided() -> None:
    voided, _ = run(
        make("offer", "o1", 1, text="v1"),
        make("offer", "o2", 2, text="v2"),
        make("approval", "a1", 3, body="hamas", text="v1"),
    )
    assert voided == {"a1": "it approves text v1, but the text on the table is v2"}


def test_deal_concludes_when_every_required_body_approved_the_current_text() -> None:
    voided, trajectory = run(
        make("offer", "o1", 1, text="final", approvers=("hamas", "israel_cabinet"), final=True),
        make("response", "g", 2, to="o1", decision="accepted", body="hamas", answers=("o1",)),
        make("approval", "a", 3, body="israel_cabinet", text="final", answers=("g",)),
        make("announcement", "ann", 4),
    )
    outcome = trajectory.outcome
    assert not voided
    assert outcome.concluded
    assert outcome.text == "final"
    assert trajectory.final.talks == "concluded"


def test_rejecting_the_final_offer_ends_talks_and_voids_what_follows() -> None:
    voided, trajectory = run(
        make("offer", "o1", 1, text="final", approvers=("hamas", "israel_cabinet"), final=True),
        make(
            "response",
            "g",
            2,
            to="o1",
            decision="rejected",
            body="hamas",
            answers=("o1",),
            milestone="hamas_green_light",
        ),
        make("approval", "a", 3, body="israel_cabinet", text="final", answers=("g",)),
        make("announcement", "ann", 4),
    )
    assert trajectory.final.talks == "ended"
    assert "hamas_green_light" not in trajectory.milestones
    assert voided["a"] == "talks are ended, not active"
    assert voided["ann"].startswith("there is no concluded deal to announce")


def test_announcing_a_deal_that_never_comes_is_voided_after_waiting() -> None:
    voided, _ = run(make("announcement", "ann", 1))
    assert voided["ann"] == "waited 14d: the deal was never concluded"


def test_starting_a_prohibited_operation_breaches_the_condition_and_lapses_the_offer() -> None:
    voided, trajectory = run(
        make("condition", "k", 1, name="no_invasion", holder="israel", prohibits="ground_invasion"),
        make("offer", "o", 1.1, text="oct24", conditions=("no_invasion",)),
        make("military_operation", "inv", 3, operation="ground_invasion", area="gaza"),
        make("response", "r", 4, to="o", decision="accepted", answers=("o",)),
    )
    final = trajectory.final
    assert final.conditions["no_invasion"].status == "breached"
    assert final.offers["o"].status == "lapsed"
    assert (
        voided["r"] == "it answers offer o, which has lapsed (condition no_invasion was breached)"
    )


def test_a_resumption_waits_until_the_suspension_conditions_are_met() -> None:
    history = (
        make("condition", "k", 1, name="hospital", holder="israel"),
        make("talks_suspended", "s", 1.5, until=("hospital",)),
        make("talks_resumed", "early", 2),
        make("assurance", "promise", 3, about="hospital kept running", meets=("hospital",)),
        make("talks_resumed", "r", 4, answers=("promise",)),
    )
    voided, trajectory = run(*history)
    assert voided == {"r": "talks are active, not suspended"}
    wait = trajectory.waits["early"]
    assert wait.refusal.text == "talks stay suspended: condition hospital is open"
    assert (wait.until, wait.took_effect) == (T0 + timedelta(days=3), True)
    assert trajectory.final.talks == "active"
    assert trajectory.state_at(T0 + timedelta(days=2, hours=1)).talks == "suspended"


def test_an_answer_to_a_voided_message_is_voided_too() -> None:
    voided, _ = run(
        make("talks_resumed", "r", 1),
        make("offer", "o", 2, text="v", answers=("r",)),
    )
    assert voided == {
        "r": "talks are active, not suspended",
        "o": "it answers r, which was voided",
    }


def test_a_link_missing_from_the_log_voids_the_event_unless_it_only_follows() -> None:
    trajectory = replay(
        [
            make("call", "x", 1, answers=("gone",)),
            make("call", "y", 2, requires=("gone",)),
            make("call", "z", 3, after=("gone",)),
        ]
    )
    voided = {k: v.text for k, v in trajectory.final.voided.items()}
    assert voided == {
        "x": "it answers gone, which is not in the log",
        "y": "it requires gone, which is not in the log",
    }


def test_an_event_resting_on_an_acceptance_falls_when_the_answer_is_a_rejection() -> None:
    voided, trajectory = run(
        make("offer", "o", 1, text="v1"),
        make("response", "no", 2, to="o", decision="rejected", answers=("o",)),
        make("offer", "next", 3, text="v2", requires=("no",)),
        make("call", "regrets", 4, requires=(Requirement(id="no", decision="rejected"),)),
    )
    assert voided == {"next": "it requires no to be an acceptance, but it was rejected"}
    assert trajectory.final.voided["next"].culprit == "no"


def test_an_offer_resting_on_a_condition_already_breached_lapses_at_once() -> None:
    voided, trajectory = run(
        make("condition", "k", 1, name="no_invasion", holder="israel", prohibits="ground_invasion"),
        make("military_operation", "inv", 2, operation="ground_invasion", area="gaza"),
        make("offer", "o", 3, text="oct24", conditions=("no_invasion",)),
    )
    assert voided["o"] == (
        "it rests on condition no_invasion, already breached by inv: the offer lapses at once"
    )
    assert trajectory.final.current_offer is None


def test_a_message_into_a_dark_area_is_held_and_its_answer_waits_for_it() -> None:
    gaza = Channel(name="qatar>hamas_gaza_leaders", via=("gaza",))
    voided, trajectory = run(
        make("blackout_started", "b", 1, area="gaza"),
        make("information", "msg", 1.2, channel=gaza),
        make("call", "early_reply", 1.4, answers=("msg",)),
        make("blackout_ended", "e", 2, area="gaza", requires=("b",)),
        make("call", "reply", 2.5, answers=("msg",)),
    )
    assert voided == {}
    assert dict(trajectory.state_at("msg").in_transit) == {"msg": "gaza"}
    assert dict(trajectory.final.in_transit) == {}
    order = [(e.id, e.at) for e in trajectory.events]
    assert order[-3:] == [
        ("e", T0 + timedelta(days=2)),
        ("early_reply", T0 + timedelta(days=2)),  # it could not reply before the message came
        ("reply", T0 + timedelta(days=2.5)),
    ]
    assert trajectory.holds["msg"].until == T0 + timedelta(days=2)


def test_an_area_stays_dark_while_any_overlapping_blackout_is_in_force() -> None:
    _, trajectory = run(
        make("blackout_started", "b1", 1, area="gaza"),
        make("blackout_started", "b2", 2, area="gaza"),
        make("blackout_ended", "e1", 3, area="gaza", answers=("b1",)),
        make("blackout_ended", "e2", 4, area="gaza", answers=("b2",)),
    )
    assert trajectory.state_at("e1").dark("gaza")
    assert not trajectory.final.dark("gaza")


def test_ending_a_blackout_not_in_force_is_voided() -> None:
    voided, _ = run(
        make("blackout_started", "b1", 1, area="gaza"),
        make("blackout_ended", "e1", 2, area="gaza", answers=("b1",)),
        make("blackout_ended", "e2", 3, area="gaza", answers=("b1",)),
    )
    assert voided == {"e2": "it ends no blackout in force over gaza"}


def test_releases_never_exceed_what_the_captor_is_known_to_hold_nor_repeat_a_name() -> None:
    voided, trajectory = run(
        make("release", "r1", 1, captor="hamas", count=2, names=("natalie", "judith")),
        make("information", "i", 2, captor="hamas", count=3),
        make("release", "r2", 3, captor="hamas", count=2),
        make("release", "r3", 4, captor="hamas", count=1, names=("judith",)),
    )
    assert voided["r2"] == "hamas is known to hold 3, 2 already released, cannot release 2 more"
    assert voided["r3"] == "judith already released"
    assert trajectory.final.captives["hamas"].released == 2


def test_a_channel_cannot_be_opened_twice() -> None:
    voided, trajectory = run(
        make("channel_opened", "cell", 1, name="hostage_cell", members=("us", "israel")),
        make("channel_opened", "again", 2, name="hostage_cell"),
    )
    assert voided == {"again": "channel hostage_cell is already open"}
    assert trajectory.final.channels["hostage_cell"] == ("us", "israel")
