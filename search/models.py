"""The search index and what editors manage around it (issue 6).

One SearchDocument per public thing (a power item now; results and decisions when
they exist), holding its text already segmented by search.analysis, so every backend
indexes and queries the same tokens. The database backends add their own full-text
structures over this table (SQLite FTS5 table; PostgreSQL tsvector + GIN).
"""

import re

from django.core.exceptions import ValidationError
from django.db import models

from wagtail.admin.panels import FieldPanel


class SearchDocument(models.Model):
    class Kind(models.TextChoices):
        POWER = "power", "权力事项"
        RESULT = "result", "办理结果"
        DECISION = "decision", "三重一大决策"
        NOTICE = "notice", "问责通报"
        CLARIFICATION = "clarify", "澄清正名"

    kind = models.CharField("类别", max_length=10, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField("对象")
    unit = models.ForeignKey(
        "disclosure.UnitPage",
        verbose_name="单位",
        on_delete=models.CASCADE,
        related_name="+",
    )
    unit_path = models.CharField("单位路径", max_length=255, db_index=True)
    code = models.CharField("编码", max_length=64, blank=True)
    title = models.CharField("标题", max_length=255)
    power_type = models.CharField("权力类型", max_length=10, blank=True, db_index=True)
    year = models.PositiveSmallIntegerField("年份", null=True, db_index=True)
    published_at = models.DateTimeField("发布时间", null=True, db_index=True)
    url = models.CharField("地址", max_length=500)
    # The long text last: SQLite reads a row's columns in order, and facets count
    # the short ones above over every match.
    body = models.TextField("正文", blank=True)
    title_tokens = models.TextField("标题分词", blank=True)
    body_tokens = models.TextField("正文分词", blank=True)

    class Meta:
        verbose_name = "检索文档"
        verbose_name_plural = "检索文档"
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id"], name="unique_search_document"
            ),
        ]

    def __str__(self):
        return self.title


SYNONYM_SEPARATORS = re.compile(r"[、，,；;\s]+")


class Synonym(models.Model):
    """同义词: every term of a group finds the others (低保 ↔ 最低生活保障).

    Read through search.service.synonym_table(), cached and cleared on every change.
    """

    terms = models.CharField(
        "同义词组",
        max_length=500,
        help_text="用顿号、逗号或空格分隔，如：低保、最低生活保障。第一个词作为“您是不是要找”的建议。",
    )
    active = models.BooleanField("启用", default=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    panels = [FieldPanel("terms"), FieldPanel("active")]

    class Meta:
        verbose_name = "同义词"
        verbose_name_plural = "同义词"
        ordering = ["terms"]

    def __str__(self):
        return self.terms

    def term_list(self):
        return [term for term in SYNONYM_SEPARATORS.split(self.terms) if term]

    def clean(self):
        super().clean()
        if len(set(self.term_list())) < 2:
            raise ValidationError({"terms": "同义词组至少要有两个不同的词。"})


class ZeroResultQuery(models.Model):
    """Queries that found nothing, for editors — counted per normalised text, with
    personal data masked before storing and no record of who asked."""

    query = models.CharField("检索词", max_length=100, unique=True)
    count = models.PositiveIntegerField("次数", default=0)
    last_seen = models.DateField("最近一次", auto_now=True)

    class Meta:
        verbose_name = "无结果检索"
        verbose_name_plural = "无结果检索"
        ordering = ["-count"]

    def __str__(self):
        return self.query
