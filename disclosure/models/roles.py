from django.contrib.auth.models import Group
from django.db import models


class UnitGroup(models.Model):
    """The staff group of one role in one unit, created with the unit.

    Roles from DESIGN: 录入员 drafts, 分管领导 reviews, 主要领导 approves; a 纪委 unit
    also gets a 纪委 group, which sees (never edits) the units it supervises.
    """

    class Role(models.TextChoices):
        CLERK = "clerk", "录入员"
        LEADER = "leader", "分管领导"
        HEAD = "head", "主要领导"
        COMMISSION = "commission", "纪委"

    unit = models.ForeignKey(
        "disclosure.UnitPage", on_delete=models.CASCADE, related_name="staff_groups"
    )
    role = models.CharField("角色", max_length=12, choices=Role.choices)
    group = models.OneToOneField(
        Group, on_delete=models.CASCADE, related_name="unit_role"
    )

    class Meta:
        verbose_name = "单位角色"
        verbose_name_plural = "单位角色"
        constraints = [
            models.UniqueConstraint(fields=["unit", "role"], name="unique_unit_role"),
        ]

    def __str__(self):
        return f"{self.unit} · {self.get_role_display()}"
