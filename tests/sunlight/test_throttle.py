from django.core.cache import cache
from django.test import RequestFactory

import pytest

from sunlight import throttle


@pytest.fixture(autouse=True)
def clean_cache():
    cache.clear()
    yield
    cache.clear()


def request_from(address):
    return RequestFactory().post("/report/", REMOTE_ADDR=address)


def test_allows_up_to_the_limit_then_refuses():
    request = request_from("203.0.113.7")
    assert [throttle.hit(request, "t", limit=3, window=60) for _ in range(5)] == [
        True,
        True,
        True,
        False,
        False,
    ]


def test_sources_and_scopes_are_counted_apart():
    first, second = request_from("203.0.113.7"), request_from("203.0.113.8")
    for _ in range(3):
        throttle.hit(first, "t", limit=3, window=60)
    assert not throttle.hit(first, "t", limit=3, window=60)
    assert throttle.hit(second, "t", limit=3, window=60)
    assert throttle.hit(first, "other", limit=3, window=60)


def test_the_cache_never_holds_the_address():
    throttle.hit(request_from("203.0.113.77"), "t", limit=3, window=60)
    keys = list(cache._cache.keys())
    assert keys and not any("203.0.113.77" in key for key in keys)
    assert throttle.digest("203.0.113.77") != throttle.digest("203.0.113.78")


def test_failures_block_only_once_counted(settings):
    request = request_from("198.51.100.1")
    assert not throttle.blocked(request, "login", limit=2)
    throttle.fail(request, "login", window=60)
    throttle.fail(request, "login", window=60)
    assert throttle.blocked(request, "login", limit=2)


def test_demo_mode_lifts_throttles_only_with_debug(settings):
    request = request_from("198.51.100.2")
    settings.CAPTCHA_TEST_MODE = True
    settings.DEBUG = False
    assert [throttle.hit(request, "t", 1, 60) for _ in range(2)] == [True, False]
    settings.DEBUG = True
    assert all(throttle.hit(request, "t", 1, 60) for _ in range(3))


def test_can_be_switched_off_for_load_tests(settings):
    settings.THROTTLE_ENABLED = False
    request = request_from("198.51.100.3")
    assert all(throttle.hit(request, "t", 1, 60) for _ in range(3))


def test_counts_by_a_trusted_proxy_header(settings):
    settings.THROTTLE_CLIENT_HEADER = "HTTP_X_REAL_IP"
    one = RequestFactory().post("/", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="1.2.3.4")
    two = RequestFactory().post("/", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="5.6.7.8")
    assert throttle.hit(one, "p", 1, 60)
    assert throttle.hit(two, "p", 1, 60)
    assert not throttle.hit(one, "p", 1, 60)
