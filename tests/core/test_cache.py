"""The Redis cache backend (elearning.core.cache, issue 17) against the real Redis: what is
set is read back, from many threads at once, by one client per connection pool instead of a
new client per call."""

import threading
import uuid
from urllib.parse import urlsplit

from django.conf import settings

from elearning.core.cache import SharedClientRedisCache
from tests.conftest import port_open, service_missing


def a_cache():
    url = settings.TEST_REDIS_URL
    parts = urlsplit(url)
    if not port_open(parts.hostname or "127.0.0.1", parts.port or 6379):
        service_missing(f"Redis is not answering at {url}")
    return SharedClientRedisCache(url, {"KEY_PREFIX": f"test-cache-{uuid.uuid4().hex}"})


def test_values_round_trip_through_one_client_from_many_threads():
    cache = a_cache()
    errors = []

    def work(number):
        try:
            for step in range(50):
                cache.set(f"k{number}-{step}", {"n": number, "step": step}, 30)
                assert cache.get(f"k{number}-{step}") == {"n": number, "step": step}
            assert cache.get_many([f"k{number}-0", f"k{number}-49"]) == {
                f"k{number}-0": {"n": number, "step": 0},
                f"k{number}-49": {"n": number, "step": 49},
            }
            cache.delete(f"k{number}-0")
            assert cache.get(f"k{number}-0", "gone") == "gone"
        except Exception as error:  # noqa: BLE001 - reported by the test below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    # Django's own backend would have built 8 × 55 clients; this one keeps the pool's one.
    client = cache._cache.get_client()
    assert cache._cache.get_client(write=True) is client
    assert len(cache._cache._clients) == 1
    # (No clear(): it would empty the whole Redis database; the keys expire in 30 s.)
