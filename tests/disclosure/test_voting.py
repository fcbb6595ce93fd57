"""三重一大 meeting rules (seeds 000 三重一大事项决策监督办法 第九条): two-thirds
attendance, the member in charge reports, everyone present votes with a reason, the
head speaks last, absent members' written opinions are kept but not counted."""

import pytest

from disclosure.voting import Member, problems, tally


def meeting(size=7, absent=(), head_order=None, **changes):
    """`size` members; the head is the last member and speaks last unless told."""
    members = []
    order = 0
    for index in range(size):
        is_head = index == size - 1
        present = index not in absent
        order += present
        members.append(
            Member(
                name=f"成员{index + 1}",
                present=present,
                speaking_order=(head_order if is_head and head_order else order)
                if present
                else None,
                vote="同意" if present else "",
                reason="理由充分" if present else "",
                written_opinion="" if present else "书面同意",
                is_head=is_head,
                is_reporter=index == 0,
            )
        )
    for index, fields in changes.items():
        position = int(index.removeprefix("m"))
        members[position] = Member(**{**members[position].__dict__, **fields})
    return members


def test_a_proper_meeting_has_no_problems():
    assert problems(meeting()) == []


@pytest.mark.parametrize(
    ("size", "absent", "ok"),
    [
        (7, (1, 2), True),
        (7, (1, 2, 3), False),
        (9, (1, 2, 3), True),
        (6, (1, 2), True),
        (6, (1, 2, 3), False),
    ],
)
def test_two_thirds_must_attend(size, absent, ok):
    found = problems(meeting(size, absent=absent))
    assert (not any("到会人数不足" in p for p in found)) is ok


def test_below_quorum_names_the_numbers():
    found = problems(meeting(7, absent=(1, 2, 3)))
    assert "班子成员 7 人，到会 4 人" in found[0]
    assert "至少 5 人" in found[0]


def test_the_head_speaks_last():
    found = problems(meeting(head_order=1))
    assert any("应末位表态" in p for p in found)


def test_absent_members_do_not_vote_and_written_opinions_are_not_counted():
    members = meeting(absent=(2,), m2={"vote": "同意"})
    assert any("未到会成员不能投票" in p for p in problems(members))
    counted = tally(meeting(absent=(2,)))
    assert counted.present == 6 and counted.agree == 6


def test_present_members_vote_with_a_reason():
    assert any("须明确表示" in p for p in problems(meeting(m1={"vote": ""})))
    assert any("须说明理由" in p for p in problems(meeting(m1={"reason": " "})))


def test_the_member_in_charge_must_be_present():
    assert any("必须到会汇报" in p for p in problems(meeting(absent=(0,))))


def test_one_head_and_unique_speaking_order():
    assert any(
        "发言顺序不能重复" in p for p in problems(meeting(m1={"speaking_order": 1}))
    )
    assert any("一把手" in p for p in problems(meeting(m6={"is_head": False})))


def test_no_members_is_a_problem_not_a_crash():
    assert problems([]) == ["请登记领导班子成员（含缺席人员）及其表决意见。"]
