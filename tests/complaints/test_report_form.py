"""The public form /report/: valid reports stored completely, every bad input of
issue 8 refused with a Chinese message and nothing stored."""

import io
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

import pytest
from PIL import Image

from complaints import intake
from complaints.models import Report, ReportAttachment, ReportEvent
from disclosure.models import UnitPage

from .conftest import PASSWORD, VALID_ID

pytestmark = pytest.mark.django_db


def jpeg_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, "JPEG")
    return buffer.getvalue()


def test_form_has_the_contract_labels(client, county):
    html = client.get("/report/").content.decode()
    for label in (
        "被举报人",
        "被举报人职务",
        "被举报单位",
        "举报内容",
        "附件",
        "姓名",
        "身份证号",
        "联系电话",
        "查询密码",
        "确认查询密码",
        "验证码",
    ):
        assert re.search(rf"<label for=\"id_\w+\">{label}</label>", html), label
    assert "匿名举报</label>" in html and "实名举报</label>" in html
    assert ">提交举报</button>" in html
    assert "东河镇社会事务办公室</option>" in html
    assert 'enctype="multipart/form-data"' in html
    # Hints are tied to their inputs for screen readers.
    assert 'aria-describedby="id_content_helptext"' in html
    assert 'id="id_content_helptext"' in html


def test_unit_picker_groups_units_under_their_township(client, county):
    html = client.get("/report/").content.decode()
    picker = re.search(
        r'<select[^>]*name="accused_unit"([^>]*)>(.*?)</select>', html, re.S
    )
    options = picker.group(2)
    # The county itself stands alone; a township heads a group of its own units.
    assert options.index("测试县人民政府</option>") < options.index("<optgroup")
    group = re.search(
        r'<optgroup label="测试县东河镇人民政府">(.*?)</optgroup>', options
    )
    assert "东河镇柳树村民委员会</option>" in group.group(1)
    assert "测试县东河镇人民政府</option>" in group.group(1)
    assert "required" in picker.group(1)


def test_unit_picker_keeps_the_choice_when_the_form_comes_back(client, report_data):
    data = report_data(content="")
    html = client.post("/report/", data).content.decode()
    chosen = re.findall(r'<option value="(\d+)" selected>', html)
    assert chosen == [str(data["accused_unit"])]


def test_unit_picker_costs_one_query_however_many_units(
    client, county, django_assert_max_num_queries
):
    from tests.factories import make_unit

    township = UnitPage.objects.get(code="T01-A")
    for n in range(60):
        make_unit(township, code=f"T01-A-X{n}", title=f"东河镇<第{n}>村委会")
    client.get("/report/")
    with django_assert_max_num_queries(8) as queries:
        html = client.get("/report/").content.decode()
    assert "东河镇&lt;第59&gt;村委会</option>" in html
    assert sum("disclosure_unitpage" in q["sql"] for q in queries.captured_queries) == 1


def test_errors_are_tied_to_their_inputs(client, report_data):
    html = client.post("/report/", report_data(content="")).content.decode()
    assert 'aria-invalid="true"' in html
    assert re.search(r'aria-describedby="id_content_helptext id_content_error"', html)
    assert 'id="id_content_error"' in html


def test_anonymous_report_is_stored_and_confirmed_with_a_16_digit_code(
    client, report_data, private_root
):
    response = client.post("/report/", report_data())
    assert response.status_code == 200
    report = Report.objects.get()
    assert re.fullmatch(r"\d{16}", report.code)
    assert report.grouped_code in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert report.anonymous and report.identity == "" and report.identity_digest == ""
    assert report.handler.code == "T01-A-J"
    assert report.state == Report.State.PENDING
    assert report.password_hash.startswith("$argon2id$")
    assert PASSWORD not in report.password_hash
    assert list(report.events.values_list("kind", flat=True)) == [
        ReportEvent.Kind.SUBMITTED,
        ReportEvent.Kind.ROUTED,
    ]
    assert report.acknowledge_due > report.transfer_due > report.received_on


def test_anonymous_report_drops_identity_typed_anyway(client, report_data):
    client.post(
        "/report/",
        report_data(name="张三", id_number=VALID_ID, phone="13912345678"),
    )
    report = Report.objects.get()
    assert report.anonymous and not report.identity


def test_real_name_report_encrypts_identity(client, report_data):
    data = report_data(
        mode="real", name="钟启明", id_number=VALID_ID.lower(), phone="13800138000"
    )
    assert client.post("/report/", data).status_code == 200
    report = Report.objects.get()
    assert not report.anonymous
    for value in ("钟启明", VALID_ID, "13800138000"):
        assert value not in report.identity
    assert report.read_identity() == {
        "name": "钟启明",
        "id_number": VALID_ID,
        "phone": "13800138000",
    }


def test_head_of_township_goes_one_level_up(client, report_data):
    township = UnitPage.objects.get(code="T01-A")
    client.post(
        "/report/",
        report_data(
            accused_person="某某", accused_post="镇长", accused_unit=township.pk
        ),
    )
    report = Report.objects.get()
    assert report.handler.code == "T01-J" and report.principal


def test_attachment_is_stored_privately_without_metadata(
    client, report_data, private_root, settings
):
    image = SimpleUploadedFile("photo.jpg", jpeg_bytes(), content_type="image/jpeg")
    response = client.post("/report/", report_data(attachments=[image]))
    assert response.status_code == 200
    attachment = ReportAttachment.objects.get()
    assert attachment.name == "附件1.jpg"
    path = attachment.file.path
    assert path.startswith(str(private_root))
    assert not path.startswith(str(settings.MEDIA_ROOT))


def test_same_form_sent_twice_is_stored_once(client, report_data, monkeypatch):
    data = report_data()
    first = client.post("/report/", data)
    code = Report.objects.get().code
    # A retry of the same form (e.g. after a timeout) with a captcha that passes.
    monkeypatch.setattr(
        "sunlight.captcha.CaptchaField.clean", lambda self, value: value
    )
    second = client.post("/report/", data)
    assert Report.objects.count() == 1
    assert code in re.sub(r"\s", "", second.content.decode())
    assert "没有重复保存" in second.content.decode()
    assert first.status_code == second.status_code == 200


def long_text(n):
    return "违" * n


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"content": ""}, "举报内容不能为空"),
        ({"content": "   \n\t "}, "举报内容不能为空"),
        ({"content": long_text(20_000)}, "举报内容不能超过5000字"),
        ({"accused_person": ""}, "请填写被举报人"),
        ({"accused_unit": "999999"}, "所选被举报单位不存在"),
        ({"accused_unit": "绝不存在的单位"}, "所选被举报单位不存在"),
        ({"content": "<script>alert(1)</script>举报"}, "不能包含网页代码"),
        ({"content": '<img src=x onerror="alert(1)">'}, "不能包含网页代码"),
        ({"accused_person": "<b>张三</b>"}, "不能包含网页代码"),
        ({"content": "'; DROP TABLE complaints_report; --"}, "类似数据库指令"),
        ({"content": "1' OR '1'='1"}, "类似数据库指令"),
        ({"content": "x UNION SELECT password FROM auth_user"}, "类似数据库指令"),
        ({"mode": "real", "id_number": VALID_ID, "phone": "13800138000"}, "须填写姓名"),
        (
            {
                "mode": "real",
                "name": "钟启明",
                "id_number": "110105194912310021",
                "phone": "13800138000",
            },
            "身份证号不正确",
        ),
        (
            {
                "mode": "real",
                "name": "钟启明",
                "id_number": VALID_ID,
                "phone": "138abc38000",
            },
            "联系电话只能包含数字",
        ),
        (
            {"mode": "real", "name": "钟启明", "id_number": VALID_ID, "phone": "12345"},
            "联系电话格式不正确",
        ),
        ({"mode": "real", "name": "钟启明", "id_number": VALID_ID}, "须填写联系电话"),
        ({"password_confirm": "another-password"}, "两次输入的查询密码不一致"),
        ({"password": "short", "password_confirm": "short"}, "查询密码至少8位"),
        ({"captcha_1": "00000x"}, "验证码不正确"),
        ({"mode": ""}, "请选择实名举报或匿名举报"),
    ],
)
def test_bad_input_is_refused_clearly_and_nothing_stored(
    client, report_data, overrides, message
):
    response = client.post("/report/", report_data(**overrides))
    body = response.content.decode()
    assert response.status_code == 400
    assert message in body
    assert "本次没有保存任何内容" in body
    assert Report.objects.count() == 0
    assert ReportEvent.objects.count() == 0


def test_executable_renamed_jpg_is_refused(client, report_data, private_root):
    fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00" + b"\x00" * 500, "image/jpeg")
    response = client.post("/report/", report_data(attachments=[fake]))
    assert response.status_code == 400
    assert "改扩展名无效" in response.content.decode()
    assert Report.objects.count() == 0
    assert not any(private_root.rglob("*.*")) if private_root.exists() else True


def test_a_50_mb_upload_is_refused_with_a_chinese_page(client, report_data):
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * (50 * 1024 * 1024))
    response = client.post("/report/", report_data(attachments=[big]))
    assert response.status_code == 413
    assert "提交内容过大" in response.content.decode()
    assert Report.objects.count() == 0


def test_one_file_over_the_limit_is_refused_with_the_form_kept(
    client, report_data, settings
):
    settings.REPORT_ATTACHMENT_MAX_BYTES = 1000
    image = SimpleUploadedFile("photo.jpg", jpeg_bytes() + b"\0" * 2000)
    response = client.post("/report/", report_data(attachments=[image]))
    assert response.status_code == 400
    assert "第1个附件超过" in response.content.decode()
    assert "吴某某在高龄津贴审核中" in response.content.decode()


def test_a_report_is_stored_completely_or_not_at_all(
    client, report_data, private_root, monkeypatch
):
    original = intake.store_attachment
    calls = []

    def fail_on_second(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise OSError("disk full")
        return original(*args, **kwargs)

    monkeypatch.setattr(intake, "store_attachment", fail_on_second)
    files = [
        SimpleUploadedFile("a.jpg", jpeg_bytes()),
        SimpleUploadedFile("b.jpg", jpeg_bytes()),
    ]
    response = client.post("/report/", report_data(attachments=files))
    assert response.status_code == 503
    assert "不会重复保存" in response.content.decode()
    assert Report.objects.count() == 0
    assert ReportAttachment.objects.count() == 0
    assert not [p for p in private_root.rglob("*") if p.is_file()]


def test_database_outage_is_answered_with_an_error(client, report_data, monkeypatch):
    from django.db import OperationalError

    def down(submission):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(intake, "file_report", down)
    response = client.post("/report/", report_data())
    assert response.status_code == 503
    assert "不会重复保存" in response.content.decode()


def test_submissions_are_throttled_per_source(client, report_data, settings):
    settings.REPORT_SUBMIT_THROTTLE = (2, 3600)
    codes = [client.post("/report/", report_data()).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert Report.objects.count() == 2


def test_an_outage_while_opening_the_form_is_a_page_not_an_error(
    client, county, monkeypatch
):
    from django.db import OperationalError

    from complaints import views

    def down(*args, **kwargs):
        raise OperationalError("the database system is starting up")

    monkeypatch.setattr(views, "ReportForm", down)
    response = client.get("/report/")
    assert response.status_code == 503
    assert "没有生成查询码" in response.content.decode()


def test_an_outage_anywhere_in_a_status_lookup_is_a_page(client, county, monkeypatch):
    from django.db import OperationalError

    from complaints import views

    def down(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(views, "_status_page", down)
    monkeypatch.setattr(views.access, "check_password", lambda *a: True)
    response = client.post("/report/status/", {"code": "1" * 16, "password": "x" * 8})
    assert response.status_code == 503
    assert "系统繁忙" in response.content.decode()


def test_a_stored_report_is_confirmed_even_if_the_page_cannot_be_built(
    client, report_data, monkeypatch
):
    """The database goes away between the commit and the page: the 查询码 is
    shown on a page that needs no query, never an error that says nothing was
    saved."""
    from django.db import OperationalError

    from complaints import views

    real_render = views._render

    def failing_done_page(request, template, context, status=200):
        if template == "complaints/report_done.html":
            raise OperationalError("server closed the connection unexpectedly")
        return real_render(request, template, context, status)

    monkeypatch.setattr(views, "_render", failing_done_page)
    response = client.post("/report/", report_data())
    report = Report.objects.get()
    assert response.status_code == 200
    assert report.grouped_code in response.content.decode()


def test_each_visitor_of_the_report_form_gets_their_own_tokens(report_data, settings):
    """The report form is filled into a copy kept per generation: every visitor
    has their own CSRF token, captcha and form token, and the form works."""
    from sunlight import captcha

    settings.PAGE_CACHE_SECONDS = 600
    visitors = [Client(enforce_csrf_checks=True) for _ in range(3)]
    forms = [(visitor, visitor.get("/report/")) for visitor in visitors]
    for _, response in forms:
        assert "no-store" in response["Cache-Control"]
        assert "csrftoken" in response.cookies
    htmls = [response.content.decode() for _, response in forms]
    for pattern in (r'name="token" value="([^"]+)"', r'name="captcha_0" value="(\w+)"'):
        assert len({re.search(pattern, html).group(1) for html in htmls}) == 3
    assert any(name[0] == "report-form" for name, _ in captcha._stencils)  # a copy
    # The token filled in is the one this visitor's CSRF cookie accepts.
    visitor = visitors[-1]
    data = report_data(visitor=visitor)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', htmls[-1])
    filed = visitor.post("/report/", {**data, "csrfmiddlewaretoken": token.group(1)})
    assert filed.status_code == 200
    assert Report.objects.get().code in re.sub(r"\s", "", filed.content.decode())
