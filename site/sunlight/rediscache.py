"""Django's Redis cache with one client per connection pool.

Django's RedisCacheClient builds a new `redis.Redis` for every cache call, and each
one builds its table of ~170 response callbacks: a `get_many` of a cached page took
214 µs in-process, 149 µs with a shared client. A cached public page costs two or
three calls and a rating about ten. `redis.Redis` is safe to share between threads
(each command takes a connection from the pool), so one per pool is kept.

`increment_versions` adds 1 to several counters in one round trip (the page cache's
tag versions a rating moves), creating missing ones from a given start.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class SharedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class SharedClientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient

    def increment_versions(self, keys, start):
        """INCR each key (one without expiry, as `set(..., timeout=None)`), a
        missing one first set to `start`: one pipelined round trip."""
        names = [self.make_and_validate_key(key) for key in keys]
        if not names:
            return
        pipe = self._cache.get_client(names[0], write=True).pipeline(transaction=False)
        for name in names:
            pipe.set(name, start, nx=True)
            pipe.incr(name)
        pipe.execute()
