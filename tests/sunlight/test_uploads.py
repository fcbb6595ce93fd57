import pytest


@pytest.mark.django_db
def test_fields_too_large_to_parse_get_a_chinese_413(client):
    response = client.post("/report/", {"content": "BIG" * 1_747_627})
    assert response.status_code == 413
    assert "提交内容过大" in response.content.decode()
    assert "没有保存" in response.content.decode()


@pytest.mark.django_db
def test_a_body_over_the_limit_is_refused_before_parsing(client, settings):
    settings.PUBLIC_POST_MAX_BYTES = 1024
    body = b"x" * 4096
    response = client.generic(
        "POST", "/report/", body, content_type="application/octet-stream"
    )
    assert response.status_code == 413


@pytest.mark.django_db
def test_admin_posts_are_not_limited_here(client, settings):
    settings.PUBLIC_POST_MAX_BYTES = 10
    response = client.post("/admin/login/", {"username": "x" * 100, "password": "y"})
    assert response.status_code != 413
