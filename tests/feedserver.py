"""A real HTTP server on 127.0.0.1 for tests: configurable routes, recorded requests.

    async with FeedServer() as server:
        server.reply("/rss", body=b"<rss/>", headers={"ETag": '"v1"'})
        server.route("/slow", my_handler)          # any aiohttp handler
        result = await fetcher.fetch(server.url("/rss"))
        assert server.requests[0].headers["User-Agent"].startswith("filmbot/")

Routes may change while the server runs. An unknown path answers 404.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from aiohttp import web
from multidict import CIMultiDict, CIMultiDictProxy

Handler = Callable[[web.BaseRequest], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query_string: str
    headers: CIMultiDictProxy[str]


class FeedServer:
    """Serves routes by exact path on 127.0.0.1 and a free port; records every request."""

    def __init__(self, *, host: str = "127.0.0.1") -> None:
        self._host = host
        self._routes: dict[str, Handler] = {}
        self._runner: web.ServerRunner | None = None
        self._port: int | None = None
        self.requests: list[RecordedRequest] = []

    async def start(self) -> None:
        # A short shutdown so a test that walked away from a slow handler ends quickly.
        self._runner = web.ServerRunner(web.Server(self._dispatch), shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, 0)
        await site.start()
        self._port = int(self._runner.addresses[0][1])

    async def close(self) -> None:
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def __aenter__(self) -> FeedServer:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FeedServer.start() was not called")
        return self._port

    def url(self, path: str = "/") -> str:
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self.port}{path}"

    def route(self, path: str, handler: Handler) -> None:
        self._routes[path] = handler

    def reply(
        self,
        path: str,
        *,
        body: bytes = b"",
        status: int = 200,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Answer ``path`` with a fixed response."""

        async def handler(request: web.BaseRequest) -> web.StreamResponse:
            return web.Response(body=body, status=status, headers=CIMultiDict(headers or {}))

        self.route(path, handler)

    def redirect(self, path: str, location: str, *, status: int = 302) -> None:
        self.reply(path, status=status, headers={"Location": location})

    def requests_to(self, path: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path == path]

    async def _dispatch(self, request: web.BaseRequest) -> web.StreamResponse:
        self.requests.append(
            RecordedRequest(
                method=request.method,
                path=request.path,
                query_string=request.query_string,
                headers=CIMultiDictProxy(CIMultiDict(request.headers)),
            )
        )
        handler = self._routes.get(request.path)
        if handler is None:
            return web.Response(status=404, text="no such route")
        return await handler(request)
