"""The optional HTTP listener for operators: /healthz, /livez and /metrics.

    GET /healthz   200 when ready, 503 when not; JSON naming every check:
                   {"status": "ok", "live": true, "ready": true,
                    "checks": {"database": "ok", "adapter:slack": "connected"}}
    GET /livez     200 whenever the event loop answers (for liveness probes that must not
                   restart the bot because the database or a platform is away)
    GET /metrics   the Prometheus text format (OpenMetrics when the scraper asks for it)

Liveness is the event loop answering at all; readiness is the database answering a query and
every adapter connected to its platform. It listens on HEALTH_HOST (127.0.0.1 by default):
the metrics name feeds and platforms, which is nothing for the open internet.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from datetime import datetime

from aiohttp import web

from bot.delivery.adapter import Adapter
from bot.metrics import Metrics
from bot.store import Store

_LOGGER = logging.getLogger(__name__)

DATABASE_TIMEOUT_SECONDS = 2.0
OK = "ok"


class HealthServer:
    def __init__(
        self,
        *,
        store: Store,
        adapters: Mapping[str, Adapter],
        metrics: Metrics,
        clock: Callable[[], datetime],
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self._store = store
        self._adapters = adapters
        self._metrics = metrics
        self._clock = clock
        self._host = host
        self._port = port
        self._runner: web.AppRunner | None = None
        self._bound_port: int | None = None

    @property
    def port(self) -> int:
        """The port it listens on (the one the system chose when asked for port 0)."""
        if self._bound_port is None:
            raise RuntimeError("HealthServer.start() was not called")
        return self._bound_port

    @property
    def url(self) -> str:
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self.port}"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/livez", self._livez)
        app.router.add_get("/metrics", self._metrics_page)
        # No access log: a scrape every 15 s would drown the bot's own events.
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        try:
            await web.TCPSite(runner, self._host, self._port).start()
        except OSError as exc:
            await runner.cleanup()
            raise OSError(
                exc.errno,
                f"cannot listen for /healthz and /metrics on {self._host}:{self._port}: "
                f"{exc.strerror}. Choose another HEALTH_PORT, or unset it.",
            ) from exc
        self._runner = runner
        self._bound_port = int(runner.addresses[0][1])
        _LOGGER.info("health and metrics on %s (/healthz, /livez, /metrics)", self.url)

    async def stop(self) -> None:
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def checks(self) -> dict[str, str]:
        """Every readiness check by name: "ok" or "connected" when it passes, else why not."""
        found = {"database": await self._database()}
        for platform, adapter in sorted(self._adapters.items()):
            try:
                connected = adapter.connected
            except Exception as exc:  # a broken property must not take the endpoint down
                found[f"adapter:{platform}"] = f"error: {type(exc).__name__}"
            else:
                found[f"adapter:{platform}"] = "connected" if connected else "disconnected"
        return found

    async def _database(self) -> str:
        try:
            await asyncio.wait_for(self._store.ping(), DATABASE_TIMEOUT_SECONDS)
        except TimeoutError:
            return f"unavailable: no answer within {DATABASE_TIMEOUT_SECONDS:g} s"
        except Exception as exc:
            return f"unavailable: {exc}"
        return OK

    async def _healthz(self, request: web.Request) -> web.Response:
        checks = await self.checks()
        ready = all(value in (OK, "connected") for value in checks.values())
        body = {
            "status": "ok" if ready else "unavailable",
            "live": True,  # this answer is the proof
            "ready": ready,
            "checks": checks,
        }
        return web.json_response(body, status=200 if ready else 503)

    async def _livez(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "live": True})

    async def _metrics_page(self, request: web.Request) -> web.Response:
        await self._metrics.refresh(self._store, self._clock())
        body, content_type = self._metrics.render_for(request.headers.get("Accept", ""))
        response = web.Response(body=body)
        # aiohttp's content_type setter would drop the version and escaping parameters.
        response.headers["Content-Type"] = content_type
        return response
