"""The Redis message queue, made to recover: publishes fail fast, clients resync after an outage.

python-socketio's RedisManager drops what it cannot publish (the rows are durable anyway) and
its listener reconnects with backoff, but clients of other processes never learn what they
missed, and with a hung Redis a publish waits forever (no socket timeout), stalling every push
of this process. Here publishes use a short timeout, the listener keeps its own connection
without one (it waits for messages), and each re-subscription after a failure tells this
process's clients to "resync" (they fetch what they have not seen, see realtime.js).
"""
from __future__ import annotations

import logging
import time

import socketio

log = logging.getLogger(__name__)

RESYNC_EVENT = "resync"
RESYNC_DELAY_SECONDS = 1.0  # let the other processes re-subscribe before clients ask


class ResyncingRedisManager(socketio.RedisManager):
    def __init__(self, url, *, publish_timeout: float = 1.0, **kwargs):
        super().__init__(url, **kwargs)
        self.publish_timeout = publish_timeout
        self.resyncs = 0

    def _redis_connect(self):
        module = self._get_redis_module()
        options = dict(self.redis_options or {})
        self.redis = module.Redis.from_url(self.redis_url, **{
            **options, "socket_timeout": self.publish_timeout, "socket_connect_timeout": self.publish_timeout})
        listener = module.Redis.from_url(self.redis_url, **{
            **options, "socket_connect_timeout": self.publish_timeout, "socket_keepalive": True,
            "health_check_interval": 30})
        self.pubsub = listener.pubsub(ignore_subscribe_messages=True)
        self.connected = True

    def _redis_listen_with_retries(self):  # upstream's loop, plus the resync after a failure
        retry_sleep, subscribed, failed = 1, False, False
        while True:
            try:
                if not subscribed:
                    self._redis_connect()
                    self.pubsub.subscribe(self.channel)
                    subscribed, retry_sleep = True, 1
                    if failed:
                        failed = False
                        log.warning("message queue back; asking this process's clients to resync")
                        self.server.start_background_task(self._resync_clients)
                yield from self.pubsub.listen()
            except Exception as exc:
                self._get_logger().error(f"Cannot receive from redis... retrying in {retry_sleep} secs",
                                         extra={"redis_exception": str(exc)})
                subscribed, failed = False, True
                time.sleep(retry_sleep)
                retry_sleep = min(retry_sleep * 2, 30)

    def _resync_clients(self):
        self.server.sleep(RESYNC_DELAY_SECONDS)
        self.resyncs += 1
        self.emit(RESYNC_EVENT, {}, namespace="/", ignore_queue=True)
