import io
from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile

import pytest

from disclosure.models import UnitPage
from tests.factories import make_unit, staff


@pytest.fixture
def ledger_county(county):
    """The test county plus the township 党委 and a second township, with one
    account per role the ledgers use."""
    township = UnitPage.objects.get(code="T01-A")
    party = make_unit(
        township, code="T01-A-P", title="中共东河镇委员会", unit_type="党委"
    )
    other = make_unit(county, code="T01-B", title="测试县西山乡人民政府")
    other_party = make_unit(
        other, code="T01-B-P", title="中共西山乡委员会", unit_type="党委"
    )
    make_unit(other, code="T01-B-J", title="中共西山乡纪律检查委员会", unit_type="纪委")
    units = {u.code: u for u in UnitPage.objects.all()}
    return SimpleNamespace(
        county=county,
        township=township,
        party=party,
        commission=units["T01-A-J"],
        county_commission=units["T01-J"],
        other=other,
        other_party=other_party,
        county_jiwei=staff(units["T01-J"], "commission", "county_jiwei"),
        town_jiwei=staff(units["T01-A-J"], "commission", "town_jiwei"),
        head=staff(township, "head", "town_head"),
        clerk=staff(township, "clerk", "town_clerk"),
        other_head=staff(other, "head", "other_head"),
    )


def png(name="整改照片.png"):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 20, 30)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def docx_with(text, name="整改台账.docx"):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(
            "word/document.xml",
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/'
            f'2006/main"><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body>'
            "</w:document>",
        )
    return SimpleUploadedFile(name, buffer.getvalue())
