import re

import pytest
from captcha.models import CaptchaStore

from disclosure.models import UnitPage

PASSWORD = "Chaxun-2026-pass"
VALID_ID = "11010519491231002X"


def captcha_answer(html):
    """The hashkey in a rendered form and its answer from the captcha store, as a
    person reading the picture would type it."""
    key = re.search(r'name="captcha_0" value="([0-9a-f]+)"', html).group(1)
    return key, CaptchaStore.objects.get(hashkey=key).response


def token_of(html):
    return re.search(r'name="token" value="([^"]+)"', html).group(1)


@pytest.fixture
def report_data(client, county):
    """A valid anonymous report's POST data, captcha and token read from a fresh
    form (fetched by `visitor`, the test's client unless given)."""

    def build(visitor=None, **overrides):
        html = (visitor or client).get("/report/").content.decode()
        key, answer = captcha_answer(html)
        data = {
            "mode": "anonymous",
            "accused_person": "吴某某",
            "accused_post": "工作人员",
            "accused_unit": UnitPage.objects.get(code="T01-A-1").pk,
            "content": "吴某某在高龄津贴审核中要求老人家属请客送礼后才给办理。",
            "password": PASSWORD,
            "password_confirm": PASSWORD,
            "captcha_0": key,
            "captcha_1": answer,
            "token": token_of(html),
            "name": "",
            "id_number": "",
            "phone": "",
        }
        data.update(overrides)
        return data

    return build


@pytest.fixture
def private_root(settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    return settings.PRIVATE_STORAGE_ROOT
