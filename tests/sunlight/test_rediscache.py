"""The Redis cache backend that keeps one client per pool (sunlight.rediscache),
against the local Redis: everything the page cache, throttles and calendar use
works, from many threads at once, and no client is built per call."""

import threading

import pytest
import redis

from sunlight.rediscache import SharedClientRedisCache

URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def cache():
    try:
        redis.Redis.from_url(URL).ping()
    except redis.ConnectionError:
        pytest.skip("需要本机 Redis（127.0.0.1:6379）")
    backend = SharedClientRedisCache(URL, {"KEY_PREFIX": "sunlight-test"})
    backend.clear()
    yield backend
    backend.clear()


def test_the_operations_the_site_uses(cache):
    cache.set("page", {"content": b"<html>", "tags": {}}, 60)
    assert cache.get("page") == {"content": b"<html>", "tags": {}}
    cache.set_many({"a": 1, "b": 2})
    assert cache.get_many(["a", "b", "missing"]) == {"a": 1, "b": 2}
    assert cache.incr("a") == 2
    with pytest.raises(ValueError):
        cache.incr("missing")
    assert cache.add("a", 9) is False
    cache.delete_many(["a", "b"])
    assert cache.get("a") is None


def test_versions_move_together_in_one_round_trip(cache, monkeypatch):
    cache.set("tag:a", 7, timeout=None)
    calls = []
    original = redis.client.Pipeline.execute
    monkeypatch.setattr(
        redis.client.Pipeline,
        "execute",
        lambda pipe, *a, **k: calls.append(1) or original(pipe, *a, **k),
    )
    cache.increment_versions(["tag:a", "tag:new"], start=1_000)
    assert calls == [1]
    assert cache.get_many(["tag:a", "tag:new"]) == {"tag:a": 8, "tag:new": 1_001}
    client = redis.Redis.from_url(URL)
    assert client.ttl(cache.make_and_validate_key("tag:new")) == -1  # no expiry


def test_one_client_serves_every_call(cache, monkeypatch):
    cache.get("warm")
    built = []
    original = redis.Redis.__init__

    def counting(self, *args, **kwargs):
        built.append(1)
        original(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "__init__", counting)
    for n in range(20):
        cache.set(f"k{n}", n)
        cache.get_many([f"k{n}", "generation"])
    assert built == []


def test_threads_share_it_safely(cache):
    cache.set("counter", 0)

    def bump():
        for _ in range(200):
            cache.incr("counter")

    threads = [threading.Thread(target=bump) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert cache.get("counter") == 1600
