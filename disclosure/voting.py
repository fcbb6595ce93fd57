"""The rules of a 三重一大 decision meeting (seeds 000 三重一大事项决策监督办法 第九条;
003).

- the meeting needs at least two thirds of the leadership members present;
- the member in charge of the matter is present and reports;
- members speak and vote one by one: 同意, 不同意 or 缓议, each with a reason;
- the principal leader (一把手) speaks last (末位表态);
- members absent may give a written opinion: kept, never counted as a vote.

Pure functions over plain member records, so the admin form, the import of old
minutes and the tests share one reading of the rules.
"""

from collections import Counter
from dataclasses import dataclass
from fractions import Fraction

AGREE = "同意"
DISAGREE = "不同意"
DEFER = "缓议"
VOTES = (AGREE, DISAGREE, DEFER)
QUORUM = Fraction(2, 3)


@dataclass(frozen=True)
class Member:
    name: str
    present: bool
    speaking_order: int | None = None
    vote: str = ""
    reason: str = ""
    written_opinion: str = ""
    is_head: bool = False
    is_reporter: bool = False


@dataclass(frozen=True)
class Tally:
    members: int
    present: int
    votes: dict

    @property
    def quorum_met(self):
        return self.members > 0 and Fraction(self.present, self.members) >= QUORUM

    @property
    def quorum_needed(self):
        """The smallest attendance that is at least two thirds."""
        return -(-self.members * QUORUM.numerator // QUORUM.denominator)

    def count(self, vote):
        return self.votes.get(vote, 0)

    @property
    def agree(self):
        return self.count(AGREE)

    @property
    def disagree(self):
        return self.count(DISAGREE)

    @property
    def defer(self):
        return self.count(DEFER)


def tally(members) -> Tally:
    """Counts from the members present only: written opinions are not votes."""
    present = [m for m in members if m.present]
    return Tally(
        members=len(members),
        present=len(present),
        votes=dict(Counter(m.vote for m in present if m.vote in VOTES)),
    )


def problems(members) -> list[str]:
    """Every way the record breaks the meeting rules, in Chinese, in rule order."""
    members = list(members)
    if not members:
        return ["请登记领导班子成员（含缺席人员）及其表决意见。"]
    found = []
    counts = tally(members)
    if not counts.quorum_met:
        found.append(
            f"到会人数不足：班子成员 {counts.members} 人，到会 {counts.present} 人，"
            f"须三分之二以上（至少 {counts.quorum_needed} 人）到会方可决策。"
        )
    found += _reporter_problems(members)
    found += _vote_problems(members)
    found += _order_problems(members)
    return found


def _reporter_problems(members):
    reporters = [m for m in members if m.is_reporter]
    if any(not m.present for m in reporters):
        names = "、".join(m.name for m in reporters if not m.present)
        return [f"分管此项工作的班子成员（{names}）必须到会汇报。"]
    return []


def _vote_problems(members):
    found = []
    for m in members:
        if m.present and m.vote not in VOTES:
            found.append(f"{m.name}：到会成员须明确表示同意、不同意或缓议。")
        if m.present and m.vote and not m.reason.strip():
            found.append(f"{m.name}：表决意见须说明理由。")
        if not m.present and m.vote:
            found.append(
                f"{m.name}：未到会成员不能投票，其意见请填写为书面意见（不计入表决票数）。"
            )
        if m.present and m.written_opinion.strip():
            found.append(f"{m.name}：书面意见只适用于未到会成员。")
    return found


def _order_problems(members):
    found = []
    present = [m for m in members if m.present]
    orders = [m.speaking_order for m in present]
    if any(order is None for order in orders):
        names = "、".join(m.name for m in present if m.speaking_order is None)
        found.append(f"请填写到会成员的发言顺序：{names}。")
    numbered = [o for o in orders if o is not None]
    if len(numbered) != len(set(numbered)):
        found.append("发言顺序不能重复。")
    heads = [m for m in members if m.is_head]
    if len(heads) != 1:
        found.append("请指定一名主要负责人（一把手）。")
        return found
    head = heads[0]
    if not head.present:
        return found
    later = [
        m.name
        for m in present
        if m is not head
        and m.speaking_order is not None
        and head.speaking_order is not None
        and m.speaking_order > head.speaking_order
    ]
    if later:
        found.append(
            f"主要负责人（{head.name}）应末位表态，但 {'、'.join(later)} 在其后发言。"
        )
    return found
