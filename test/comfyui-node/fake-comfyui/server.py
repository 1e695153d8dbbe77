"""A stand-in for ComfyUI's `server` module: the part a custom node uses.

ComfyUI's PromptServer sets `PromptServer.instance` when it is created, before custom nodes are imported, and keeps
an aiohttp `web.RouteTableDef` in `routes` that custom nodes add to. After loading them it registers every route
twice, as it is and under /api, then serves each custom node's web directory under /extensions/<name>/.
"""

import ipaddress
from urllib.parse import urlsplit

from aiohttp import web


def _is_loopback(name):
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


@web.middleware
async def same_host_on_loopback(request, handler):
    # ComfyUI refuses a browser request whose Origin names another host than Host when Host is a loopback name.
    host, origin = request.headers.get("Host"), request.headers.get("Origin")
    if host and origin:
        host_name = urlsplit("//" + host).hostname
        origin_parts = urlsplit(origin)
        if _is_loopback(host_name or "") and origin_parts.netloc.lower() != host.lower():
            return web.Response(status=403)
    if request.method == "OPTIONS":
        return web.Response()
    return await handler(request)


class PromptServer:
    instance = None

    def __init__(self, loop):
        PromptServer.instance = self
        self.loop = loop
        self.routes = web.RouteTableDef()
        self.app = web.Application(client_max_size=100 * 1024 * 1024, middlewares=[same_host_on_loopback])

    def add_routes(self, web_directories):
        prefixed = web.RouteTableDef()
        for route in self.routes:
            if isinstance(route, web.RouteDef):
                prefixed.route(route.method, "/api" + route.path)(route.handler, **route.kwargs)
        self.app.add_routes(prefixed)
        self.app.add_routes(self.routes)
        for name, directory in web_directories.items():
            self.app.add_routes([web.static("/extensions/" + name, directory)])
