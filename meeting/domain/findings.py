"""The home-visit findings, under the "四看四查四访" headings the investigators report by."""

from __future__ import annotations

from enum import StrEnum


class FindingGroup(StrEnum):
    LOOK = "look"  # 四看: what the investigator saw
    CHECK = "check"  # 四查: what they checked
    VISIT = "visit"  # 四访: whom they asked


class FindingHeading(StrEnum):
    """One heading of the findings; the order here is the order of the report."""

    HOUSING = "look_housing"  # 看房产
    GOODS = "look_goods"  # 看生活用品
    SPENDING = "look_spending"  # 看消费水平
    HEALTH = "look_health"  # 看身体状况
    INCOME = "check_income"  # 查家庭收入
    HIDDEN_INCOME = "check_hidden_income"  # 查隐性收入
    EMPLOYMENT = "check_employment"  # 查就业状况
    CHILDREN = "check_children"  # 查子女情况
    TOWNSHIP_CADRES = "visit_township_cadres"  # 访乡镇干部
    VILLAGE_CADRES = "visit_village_cadres"  # 访村干部
    NEIGHBOURS = "visit_neighbours"  # 访周边群众
    RELATIVES = "visit_relatives"  # 访亲朋好友

    @property
    def group(self) -> FindingGroup:
        return FindingGroup(self.value.split("_", 1)[0])


def headings_in(group: FindingGroup) -> list[FindingHeading]:
    """The headings of one group, in report order."""
    return [h for h in FindingHeading if h.group is group]
