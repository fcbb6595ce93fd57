"""Import 10,000 power items and 40,000 steps and report time and peak memory.

Issue 4's figure: under 60 s and under 500 MB peak on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sunlight_bench \
        .venv/bin/python bench/bench_import.py [--items 10000] [--units 100]

Without DATABASE_URL a throwaway SQLite file is used. The database named in
DATABASE_URL is dropped and re-created (PostgreSQL) — never point it at real data.
"""

import argparse
import csv
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TYPES = ["行政许可", "行政处罚", "行政确认", "行政给付", "行政检查", "公共服务"]


def write_files(folder, units, items):
    rng = random.Random(2026)
    unit_codes = [f"B{n:03d}" for n in range(units)]
    with open(folder / "units.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["单位编码", "单位名称", "上级单位编码", "层级", "单位类型"])
        w.writerow(["B", "基准县人民政府", "", "县", "政府"])
        w.writerow(["B-J", "基准县纪委", "B", "县", "纪委"])
        for code in unit_codes:
            w.writerow([code, f"基准单位{code}", "B", "乡", "部门"])
    with open(folder / "powers.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(
            "单位编码,事项编码,事项名称,权力类型,行使依据,行使条件,承办机构,办理时限,"
            "责任事项,责任主体,追责情形,是否公开,不公开理由,涉密".split(",")
        )
        for n in range(items):
            unit = unit_codes[n % units]
            w.writerow(
                [
                    unit,
                    f"P-{n:05d}",
                    f"基准事项{n}：农村村民宅基地审批（面积<200㎡）",
                    rng.choice(TYPES),
                    "《中华人民共和国土地管理法》第六十二条",
                    "符合土地利用总体规划，一户一宅",
                    f"{unit}业务股室",
                    f"{rng.randint(1, 30)}个工作日",
                    "1.受理责任；2.审查责任；3.决定责任",
                    f"基准单位{unit}",
                    "1.不依法受理的；2.违规审批的",
                    "是",
                    "",
                    "否",
                ]
            )
    with open(folder / "steps.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(
            "单位编码,事项编码,步骤序号,环节名称,办理岗位,办理时限,风险点,风险等级,防控措施".split(
                ","
            )
        )
        for n in range(items):
            unit = unit_codes[n % units]
            for step in range(1, 5):
                risky = step == 2
                w.writerow(
                    [
                        unit,
                        f"P-{n:05d}",
                        step,
                        f"环节{step}",
                        "经办岗",
                        "2个工作日",
                        "调查不实" if risky else "",
                        "二级" if risky else "",
                        "两人以上实地核查" if risky else "",
                    ]
                )


def reset_database(url):
    if not url.startswith("postgres"):
        return
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def manage(env, *args):
    return subprocess.run(  # noqa: S603 - our own manage.py with our arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--units", type=int, default=100)
    options = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="sunlight-bench-"))
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{folder / 'bench.sqlite3'}"
    env = dict(os.environ, DATABASE_URL=url, DEBUG="1")
    write_files(folder, options.units, options.items)
    reset_database(url)
    manage(env, "migrate", "-v0")
    manage(
        env,
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model as g; "
        "g().objects.create_superuser('bench', 'b@example.org', 'x')",
    )
    manage(env, "import_lists", "--units", str(folder / "units.csv"))
    args = [
        "import_lists",
        "--powers",
        str(folder / "powers.csv"),
        "--steps",
        str(folder / "steps.csv"),
        "--approved-by",
        "bench",
    ]
    started = time.perf_counter()
    result = manage(env, *args)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(result.stdout.strip())
    print(f"database: {url.split('://')[0]}")
    print(
        f"import {options.items} items + {options.items * 4} steps: {seconds:.1f} s, "
        f"peak RSS {peak_mb:.0f} MB (largest child process)"
    )
    started = time.perf_counter()
    again = manage(env, *args)
    print(
        f"re-import (no changes): {time.perf_counter() - started:.1f} s — {again.stdout.strip().splitlines()[0]}"
    )


if __name__ == "__main__":
    main()
