"""DESIGN rule 2: personal data is found and named, masked, in any published text."""

import pytest

from disclosure import pii


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("11010519491231002X", True),
        ("11010519491231002x", True),
        ("110105194912310021", False),  # wrong check character
        ("110105194913310020", False),  # month 13
        ("11010520991231002X", False),  # born in the future
        ("1101051949123100", False),  # too short
    ],
)
def test_id_number_check_digit(value, valid):
    assert pii.is_valid_id_number(value) is valid


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("申请人身份证号11010519491231002X，户籍柳溪镇", ["id_number"]),
        ("联系电话：13800138000", ["mobile"]),
        ("电话 138-0013-8000 或 +86 139 1234 5678", ["mobile", "mobile"]),
        ("工资卡 6222 0202 0000 0000 006 请核实", ["bank_card"]),
        ("卡号4111111111111111", ["bank_card"]),
        ("身份证11010519491231002X 手机13800138000", ["id_number", "mobile"]),
    ],
)
def test_true_positives(text, kinds):
    assert [finding.kind for finding in pii.find_personal_data(text)] == kinds


@pytest.mark.parametrize(
    "text",
    [
        "事项编码 330100-000-XK-0001，办理时限20个工作日",
        "办公电话 0818-2345678",
        "索引号 S01-A-2026-000123",
        "项目金额 12345678901234567 元以内",  # 17 digits: neither ID nor a Luhn card
        "110105194912310021",  # ID-shaped, wrong check digit, not a card either
        "订单号 123456789012",
        "12800138000",  # 12x is no mobile prefix
        "文号 江委发〔2018〕148号",
        "",
    ],
)
def test_false_positives_are_left_alone(text):
    assert pii.find_personal_data(text) == []


def test_digits_inside_longer_runs_do_not_match():
    assert pii.find_personal_data("流水号 99138001380001234567890") == []
    assert pii.find_personal_data("编号A11010519491231002X") == []


def test_masks_never_show_the_whole_number():
    (finding,) = pii.find_personal_data("身份证号：11010519491231002X")
    assert finding.masked == "110105********002X"
    (finding,) = pii.find_personal_data("13800138000")
    assert finding.masked == "138****8000"


def test_redact_replaces_every_finding():
    text = "张三，身份证11010519491231002X，电话13800138000，家住幸福路"
    assert (
        pii.redact(text)
        == "张三，身份证110105********002X，电话138****8000，家住幸福路"
    )


def test_describe_names_the_field_and_masked_values():
    findings = pii.find_personal_data("电话13800138000")
    message = pii.describe("办理对象", findings)
    assert "“办理对象”" in message and "手机号码“138****8000”" in message
    assert "13800138000" not in message
