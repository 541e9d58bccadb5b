"""The statement builder's extension points: features register their parts and rules, and
the builder applies them (the golden statements pin what they render)."""

from __future__ import annotations

import pytest
from strawberry.types.nodes import SelectedField

from kesher.graph.model import LABELS
from kesher.graph.parts import Part, keep_visible, visibility_rule
from kesher.graph.statement import Statement
from kesher.graph.visibility import Audience
from kesher.resolvers.selection import read_as_part
from kesher.settings import Settings

MEMBER = Audience("usr_member", admin=False)
ADMIN = Audience("usr_admin", admin=True)

# What a member may not see all of: activities, what is on them, their chains and a
# record's stream (which holds activities).
GUARDED = {
    "Activity",
    "Chain",
    "Note",
    "Attachment",
    "CallLog",
    "Email",
    "AuditLine",
    "StreamEntry",
}


def test_every_label_that_can_hold_an_unseen_activity_has_a_visibility_rule() -> None:
    ruled = {name for name in LABELS if visibility_rule(name) is not None}
    assert ruled == GUARDED


def test_a_member_list_of_a_guarded_label_carries_its_rule_and_an_admin_list_none() -> None:
    for name in sorted(GUARDED):
        label = LABELS[name]
        member = Statement(audience=MEMBER)
        admin = Statement(audience=ADMIN)
        assert len(member.visibility_conditions("n", label)) == 1, name
        assert "$p0" in member.visibility_conditions("n", label)[0], name
        assert admin.visibility_conditions("n", label) == [], name


def test_a_label_keeps_the_one_rule_its_feature_registered() -> None:
    with pytest.raises(ValueError, match="Activity already has a visibility rule"):
        keep_visible(["Activity"], lambda statement, n: "true")
    rule = visibility_rule("Activity")
    assert rule is not None
    keep_visible(["Activity"], rule)  # the same rule again changes nothing
    assert visibility_rule("Activity") is rule


def test_a_field_is_read_as_a_part_by_one_feature() -> None:
    def another(field: SelectedField, settings: Settings, before: Part | None) -> Part:
        raise AssertionError("never read")

    with pytest.raises(ValueError, match="relationships is already read as a part"):
        read_as_part("relationships", another)
