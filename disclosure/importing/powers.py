"""Importing 权力事项 (powers) and 流程清单 (steps) files.

Checks are plain functions over rows; `apply_lists` writes everything with bulk
queries, because a county imports tens of thousands of items at once (issue figure:
10,000 items and 40,000 steps within a minute). Rows marked 涉密 are refused and
listed — never stored, not even as drafts (DESIGN rule 1) — without blocking the rest.
"""

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from wagtail.models import ModelLogEntry, Revision

from disclosure import catalogs, pii
from disclosure.models import (
    POWER_TYPES,
    RISK_LEVELS,
    ItemChange,
    PowerItem,
    ProcessStep,
)
from disclosure.timelimits import parse_time_limit
from search.indexing import index_power_items
from sunlight import pagecache

from .errors import Problems
from .fields import (
    REQUIRED,
    choice_problem,
    length_problem,
    normalise_choice,
    normalise_code,
)
from .reader import Row, read_table

POWER_COLUMNS = (
    "单位编码",
    "事项编码",
    "事项名称",
    "权力类型",
    "行使依据",
    "行使条件",
    "承办机构",
    "办理时限",
    "责任事项",
    "责任主体",
    "追责情形",
    "是否公开",
    "不公开理由",
    "涉密",
)
STEP_COLUMNS = (
    "单位编码",
    "事项编码",
    "步骤序号",
    "环节名称",
    "办理岗位",
    "办理时限",
    "风险点",
    "风险等级",
    "防控措施",
)
#: Column → (model field, required, maximum length or None for long text).
POWER_FIELDS = {
    "事项名称": ("name", True, 255),
    "权力类型": ("power_type", True, None),
    "行使依据": ("basis", True, 4000),
    "行使条件": ("conditions", False, 4000),
    "承办机构": ("office", True, 200),
    "办理时限": ("time_limit", True, None),
    "责任事项": ("duties", False, 4000),
    "责任主体": ("responsible", False, 200),
    "追责情形": ("accountability", False, 4000),
    "不公开理由": ("withheld_reason", False, 2000),
}
STEP_FIELDS = {
    "环节名称": ("name", True, 100),
    "办理岗位": ("post", False, 100),
    "办理时限": ("time_limit", False, None),
    "风险点": ("risk", False, 2000),
    "风险等级": ("risk_level", False, None),
    "防控措施": ("prevention", False, 2000),
}
POWER_MULTILINE = ("行使依据", "行使条件", "责任事项", "追责情形", "不公开理由")
STEP_MULTILINE = ("风险点", "防控措施")
ITEM_CODE_MAX_LENGTH = 64
CODE_PATTERN = re.compile(r"[\w-]+")
YES_NO = ("是", "否")


@dataclass(frozen=True)
class Refused:
    file: str
    line: int
    unit_code: str
    code: str
    reason: str

    def __str__(self):
        return f"{self.file}:{self.line}: 已拒绝 {self.unit_code}/{self.code}：{self.reason}"


@dataclass
class PowerRow:
    line: int
    unit_code: str
    code: str
    values: dict


@dataclass
class StepRow:
    line: int
    unit_code: str
    code: str
    number: int
    values: dict


@dataclass
class Counts:
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    published: bool = False
    refused: list = field(default_factory=list)

    def __str__(self):
        state = "已发布" if self.published else "草稿，待公开目录审批"
        return f"新建 {self.created}，更新 {self.changed}，未变 {self.unchanged}（{state}）"


def clean_code(text):
    """A code as stored: NFKC-folded, short, and made only of letters, digits, `_`
    and `-`, because it is also the last part of the item's public address."""
    code = normalise_code(text)
    if not code:
        return code, REQUIRED
    if len(code) > ITEM_CODE_MAX_LENGTH:
        return code, f"编码“{code}”过长，最多 {ITEM_CODE_MAX_LENGTH} 个字符。"
    if any(char.isspace() for char in code):
        return code, f"编码“{code}”不能含有空格等空白字符。"
    if not CODE_PATTERN.fullmatch(code):
        return code, f"编码“{code}”只能由字母、数字、汉字、下划线和连字符（-）组成。"
    return code, None


def text_problem(column, text, required, limit):
    if not text:
        return REQUIRED if required else None
    if limit and (problem := length_problem(text, limit)):
        return problem
    findings = pii.find_personal_data(text)
    if findings:
        return pii.describe(column, findings)
    return None


def check_time_limit(text, required):
    if not text:
        return "", REQUIRED if required else None
    try:
        return parse_time_limit(text).text, None
    except ValueError as error:
        return text, str(error)


#: Fixed-choice fields: their allowed values and the label messages use.
CHOICES = {
    "power_type": (POWER_TYPES, "权力类型", True),
    "risk_level": (RISK_LEVELS, "风险等级", False),
}


def check_cells(row: Row, spec, problems):
    """The cells named in `spec` (column → field, required, length limit) as field
    values, with each cell's problem recorded under its column."""
    values = {}
    for column, (name, required, limit) in spec.items():
        text = row[column]
        if name in CHOICES:
            allowed, label, needed = CHOICES[name]
            text = normalise_choice(text)
            missing = REQUIRED if needed else None
            problems[column] = choice_problem(text, allowed, label) if text else missing
        elif name == "time_limit":
            text, problems[column] = check_time_limit(text, required)
        else:
            problems[column] = text_problem(column, text, required, limit)
        values[name] = text
    return values


def report_all(row: Row, problems, report):
    """Report every problem of a row; whether there was any."""
    found = [(column, message) for column, message in problems.items() if message]
    for column, message in found:
        report(row.line, column, message)
    return bool(found)


def check_powers(source, problems: Problems, known_units, *, name=None):
    """Rows to write, and rows refused as 涉密, from a powers file."""
    table = read_table(
        source, POWER_COLUMNS, problems, name=name, multiline=POWER_MULTILINE
    )
    if table is None:
        return [], []
    report = problems.reporter(table.name, POWER_COLUMNS)
    rows, refused, first = [], [], {}
    for row in table.rows:
        classified = normalise_choice(row["涉密"])
        if classified == "是":
            refused.append(
                Refused(
                    table.name,
                    row.line,
                    normalise_code(row["单位编码"]),
                    normalise_code(row["事项编码"]),
                    "涉密事项不得录入本平台",
                )
            )
            continue
        parsed = parse_power(row, report, known_units, classified)
        if parsed is None:
            continue
        key = (parsed.unit_code, parsed.code)
        if key in first:
            report(
                row.line,
                "事项编码",
                f"事项编码“{parsed.code}”在单位“{parsed.unit_code}”中重复，第 {first[key]} 行已有。",
            )
            continue
        first[key] = row.line
        rows.append(parsed)
    return rows, refused


def parse_power(row: Row, report, known_units, classified):
    problems = {}
    unit_code, problems["单位编码"] = clean_code(row["单位编码"])
    if not problems["单位编码"] and unit_code not in known_units:
        problems["单位编码"] = f"单位“{unit_code}”不存在：请先导入单位清单。"
    code, problems["事项编码"] = clean_code(row["事项编码"])
    values = check_cells(row, POWER_FIELDS, problems)
    disclosed = normalise_choice(row["是否公开"])
    problems["是否公开"] = (
        choice_problem(disclosed, YES_NO, "是否公开") if disclosed else REQUIRED
    )
    values["disclosed"] = disclosed == "是"
    if disclosed == "否" and not values["withheld_reason"]:
        problems["不公开理由"] = "不公开的事项必须填写不公开理由。"
    if disclosed == "是":
        values["withheld_reason"] = ""
    problems["涉密"] = (
        choice_problem(classified, YES_NO, "涉密") if classified else REQUIRED
    )
    if report_all(row, problems, report):
        return None
    return PowerRow(row.line, unit_code, code, values)


def check_steps(source, problems: Problems, known_items, refused_items, *, name=None):
    """Rows of a steps file, grouped by item key; steps of refused items are refused."""
    table = read_table(
        source, STEP_COLUMNS, problems, name=name, multiline=STEP_MULTILINE
    )
    if table is None:
        return {}, []
    report = problems.reporter(table.name, STEP_COLUMNS)
    steps, refused, numbers = defaultdict(list), [], {}
    for row in table.rows:
        unit_code, code = (
            normalise_code(row["单位编码"]),
            normalise_code(row["事项编码"]),
        )
        if (unit_code, code) in refused_items:
            refused.append(
                Refused(
                    table.name, row.line, unit_code, code, "所属事项涉密，流程不予录入"
                )
            )
            continue
        parsed = parse_step(row, report, known_items)
        if parsed is None:
            continue
        key = (parsed.unit_code, parsed.code)
        seen = numbers.setdefault(key, {})
        if parsed.number in seen:
            report(
                row.line,
                "步骤序号",
                f"步骤序号 {parsed.number} 在事项“{parsed.code}”中重复，第 {seen[parsed.number]} 行已有。",
            )
            continue
        seen[parsed.number] = row.line
        steps[key].append(parsed)
    for rows in steps.values():
        rows.sort(key=lambda step: step.number)
    return dict(steps), refused


def parse_step(row: Row, report, known_items):
    problems = {}
    unit_code, problems["单位编码"] = clean_code(row["单位编码"])
    code, problems["事项编码"] = clean_code(row["事项编码"])
    if (
        not (problems["单位编码"] or problems["事项编码"])
        and (unit_code, code) not in known_items
    ):
        problems["事项编码"] = (
            f"单位“{unit_code}”没有事项“{code}”：请在权力事项清单中一并导入。"
        )
    number_text = unicodedata.normalize("NFKC", row["步骤序号"]).strip()
    number = int(number_text) if number_text.isdigit() else None
    problems["步骤序号"] = (
        None if number and number <= 999 else "步骤序号应为 1 到 999 的整数。"
    )
    values = check_cells(row, STEP_FIELDS, problems)
    if values["risk"] and not values["risk_level"] and not problems["风险等级"]:
        problems["风险等级"] = "填写了风险点的环节必须填写风险等级。"
    if values["risk_level"] and not values["risk"] and not problems["风险点"]:
        problems["风险点"] = "填写了风险等级的环节必须写明风险点。"
    if report_all(row, problems, report):
        return None
    return StepRow(row.line, unit_code, code, number, values)


# Writing ---------------------------------------------------------------------------

ITEM_FIELDS = PowerItem.CONTENT_FIELDS
STEP_MODEL_FIELDS = ProcessStep.CONTENT_FIELDS
snapshot_of_row = catalogs.snapshot


def snapshot_of_content(content):
    fields = tuple(content.get(name) for name in ITEM_FIELDS)
    steps = tuple(
        tuple(step.get(name, "") for name in STEP_MODEL_FIELDS)
        for step in sorted(
            content.get("steps", []), key=lambda step: step.get("sort_order") or 0
        )
    )
    return fields, steps


def wanted_snapshot(values, steps):
    fields = tuple(values[name] for name in ITEM_FIELDS)
    return fields, tuple(
        tuple(step.get(name, "") for name in STEP_MODEL_FIELDS) for step in steps
    )


def serialize(item, steps):
    """A revision's content, shaped as Wagtail's serializable_data() shapes it."""
    data = {
        "pk": item.pk,
        "unit": item.unit_id,
        "code": item.code,
        **{name: getattr(item, name) for name in ITEM_FIELDS},
        "index_number": item.index_number,
        "catalog_version": item.catalog_version,
        "live": item.live,
        "has_unpublished_changes": item.has_unpublished_changes,
        "locked": False,
        "locked_at": None,
        "locked_by": None,
        "latest_revision": None,
        "live_revision": None,
        "first_published_at": item.first_published_at.isoformat()
        if item.first_published_at
        else None,
        "last_published_at": item.last_published_at.isoformat()
        if item.last_published_at
        else None,
        "go_live_at": None,
        "expire_at": None,
        "expired": False,
        "created_at": item.created_at.isoformat() if item.created_at else None,
        "steps": [
            {
                "pk": None,
                "item": item.pk,
                "sort_order": order,
                **{name: step.get(name, "") for name in STEP_MODEL_FIELDS},
            }
            for order, step in enumerate(steps)
        ],
    }
    return data


def apply_lists(power_rows, step_groups, unit_ids, *, user=None, progress=None):
    """Create or change items and their steps; publish them when `user` approved."""
    now = timezone.now()
    counts = Counts(published=user is not None)
    wanted = _wanted(power_rows, step_groups)
    keys = list(wanted)
    existing = _existing(keys, unit_ids)
    item_type = ContentType.objects.get_for_model(PowerItem)
    new_items, changed_items = [], []
    for key in progress(keys) if progress else keys:
        values, steps = wanted[key]
        item = existing.get(key)
        if item is None:
            item = PowerItem(unit_id=unit_ids[key[0]], code=key[1], **values)
            new_items.append((item, steps))
            continue
        current = _current_snapshot(item)
        values = values or dict(zip(ITEM_FIELDS, current[0], strict=True))
        if steps is None:
            steps = [
                dict(zip(STEP_MODEL_FIELDS, step, strict=True)) for step in current[1]
            ]
        if wanted_snapshot(values, steps) == current:
            counts.unchanged += 1
            continue
        changed_items.append((item, values, steps))
    counts.created, counts.changed = len(new_items), len(changed_items)
    if user is not None:
        _publish(new_items, changed_items, user, now, item_type)
        index_power_items([item.pk for item, *_ in new_items + changed_items])
        if new_items or changed_items:
            pagecache.bump_all()  # bulk writes send no signals
    else:
        _save_drafts(new_items, changed_items, now, item_type)
    return counts


def _wanted(power_rows, step_groups):
    """(unit, code) → (field values or None, step dicts or None when not in the file)."""
    wanted = {}
    for row in power_rows:
        steps = step_groups.get((row.unit_code, row.code))
        wanted[(row.unit_code, row.code)] = (row.values, _step_dicts(steps))
    for key, steps in step_groups.items():
        if key not in wanted:
            wanted[key] = (None, _step_dicts(steps))
    return wanted


def _step_dicts(steps):
    if steps is None:
        return None
    return [{"branch": "", **step.values} for step in steps]


def _existing(keys, unit_ids):
    by_unit = defaultdict(set)
    for unit_code, code in keys:
        by_unit[unit_ids[unit_code]].add(code)
    found = {}
    code_of = {pk: code for code, pk in unit_ids.items()}
    for unit_id, codes in by_unit.items():
        items = (
            PowerItem.objects.filter(unit_id=unit_id, code__in=codes)
            .select_related("latest_revision")
            .prefetch_related("steps")
        )
        for item in items:
            found[(code_of[unit_id], item.code)] = item
    return found


def _current_snapshot(item):
    """What the item says now: its pending draft if it has one, else its row."""
    if item.has_unpublished_changes and item.latest_revision is not None:
        return snapshot_of_content(item.latest_revision.content)
    return snapshot_of_row(item)


def _publish(new_items, changed_items, user, now, item_type):
    units = defaultdict(list)
    for item, _ in new_items:
        units[item.unit_id].append((item, True))
    for item, _, _ in changed_items:
        units[item.unit_id].append((item, False))
    numbers = {}
    for unit_id, members in units.items():
        version = catalogs.import_version_number(unit_id)
        fresh = iter(
            catalogs.next_index_numbers_for(
                unit_id, timezone.localtime(now).year, sum(new for _, new in members)
            )
        )
        for item, new in members:
            item.catalog_version = version
            if new:
                item.index_number = next(fresh)
        numbers[unit_id] = version
    for item, _ in new_items:
        item.live = True
        item.has_unpublished_changes = False
        item.first_published_at = item.last_published_at = now
    PowerItem.objects.bulk_create([item for item, _ in new_items], batch_size=1000)
    steps = [
        ProcessStep(item=item, sort_order=order, **{"branch": "", **step})
        for item, item_steps in new_items
        for order, step in enumerate(item_steps or [])
    ]
    fields_before = {item.pk: snapshot_of_row(item) for item, _, _ in changed_items}
    for item, values, item_steps in changed_items:
        for name, value in values.items():
            setattr(item, name, value)
        item.live = True
        item.has_unpublished_changes = False
        item.last_published_at = now
        item.first_published_at = item.first_published_at or now
        steps += [
            ProcessStep(item=item, sort_order=order, **{"branch": "", **step})
            for order, step in enumerate(item_steps)
        ]
    changed = [item for item, _, _ in changed_items]
    ProcessStep.objects.filter(item__in=changed).delete()
    PowerItem.objects.bulk_update(
        changed,
        [
            *ITEM_FIELDS,
            "live",
            "has_unpublished_changes",
            "first_published_at",
            "last_published_at",
            "catalog_version",
        ],
        batch_size=1000,
    )
    ProcessStep.objects.bulk_create(steps, batch_size=2000)
    all_items = [(item, item_steps, True) for item, item_steps in new_items] + [
        (item, item_steps, False) for item, _, item_steps in changed_items
    ]
    revisions = _revisions(all_items, user, now, item_type)
    for (item, _, _), revision in zip(all_items, revisions, strict=True):
        item.latest_revision = item.live_revision = revision
    PowerItem.objects.bulk_update(
        [item for item, _, _ in all_items],
        ["latest_revision", "live_revision"],
        batch_size=1000,
    )
    ItemChange.objects.bulk_create(
        [
            ItemChange(
                item=item,
                version=item.catalog_version,
                published_at=now,
                created=new,
                fields=[]
                if new
                else _changed_names(fields_before[item.pk], item, item_steps),
            )
            for item, item_steps, new in all_items
        ],
        batch_size=2000,
    )
    _log(all_items, revisions, "wagtail.publish", user, now, item_type)
    for unit_id, members in units.items():
        catalogs.import_version(
            unit_id, numbers[unit_id], [(item, new) for item, new in members], user, now
        )


def _changed_names(before, item, item_steps):
    after = wanted_snapshot(
        {name: getattr(item, name) for name in ITEM_FIELDS}, item_steps
    )
    return catalogs.changed_names(before, after)


def _save_drafts(new_items, changed_items, now, item_type):
    for item, _ in new_items:
        item.live = False
        item.has_unpublished_changes = True
    PowerItem.objects.bulk_create([item for item, _ in new_items], batch_size=1000)
    ProcessStep.objects.bulk_create(
        [
            ProcessStep(item=item, sort_order=order, **{"branch": "", **step})
            for item, item_steps in new_items
            for order, step in enumerate(item_steps or [])
        ],
        batch_size=2000,
    )
    drafts = [(item, item_steps or [], True) for item, item_steps in new_items]
    for item, values, item_steps in changed_items:
        draft = PowerItem(pk=item.pk, unit_id=item.unit_id, code=item.code, **values)
        draft.index_number, draft.catalog_version = (
            item.index_number,
            item.catalog_version,
        )
        draft.live, draft.has_unpublished_changes = item.live, True
        draft.first_published_at, draft.last_published_at = (
            item.first_published_at,
            item.last_published_at,
        )
        draft.created_at = item.created_at
        drafts.append((draft, item_steps, False))
    revisions = _revisions(drafts, None, now, item_type)
    for (item, _, _), revision in zip(drafts, revisions, strict=True):
        item.latest_revision = revision
        item.has_unpublished_changes = True
    PowerItem.objects.bulk_update(
        [item for item, _, _ in drafts],
        ["latest_revision", "has_unpublished_changes"],
        batch_size=1000,
    )
    _log(drafts, revisions, "wagtail.edit", None, now, item_type)
    for unit_id in {item.unit_id for item, _, _ in drafts}:
        catalogs.catalog_for_unit_id(unit_id)


def _revisions(items, user, now, item_type):
    revisions = [
        Revision(
            content_type=item_type,
            base_content_type=item_type,
            object_id=str(item.pk),
            content=serialize(item, item_steps or []),
            user=user,
            created_at=now,
            object_str=str(item),
        )
        for item, item_steps, _ in items
    ]
    return Revision.objects.bulk_create(revisions, batch_size=1000)


def _log(items, revisions, action, user, now, item_type):
    ModelLogEntry.objects.bulk_create(
        [
            ModelLogEntry(
                content_type=item_type,
                label=str(item)[:255],
                action=action,
                data={"source": "import_lists"},
                timestamp=now,
                user=user,
                object_id=str(item.pk),
                revision=revision,
                uuid=None,
            )
            for (item, _, _), revision in zip(items, revisions, strict=True)
        ],
        batch_size=2000,
    )
