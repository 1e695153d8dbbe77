"""model-depot: tells which models a workflow needs, links the ones on disk, downloads the rest.

The work is done by the model-depot sidecar, a local Node process. This package ships the frontend extension in
./web and forwards /model-depot/ on ComfyUI's own server to the sidecar, so the extension reaches it from ComfyUI's
page whatever host, port or scheme ComfyUI uses (ComfyUI Desktop on port 8000, a LAN address, HTTPS).

Every forwarded request carries the key the sidecar wrote to a file only this user can read
(<models>/.registry/sidecar-key, or $MODEL_DEPOT_KEY_FILE): that is how the sidecar knows the request came through
ComfyUI and not from some web page. When the sidecar does not answer, it is started here (node >= 20.19 on PATH)
and stopped when ComfyUI exits. $MODEL_DEPOT_URL says where it listens (default http://127.0.0.1:8190).
"""

WEB_DIRECTORY = "./web"
NODE_CLASS_MAPPINGS = {}
NODE_DISPLAY_NAME_MAPPINGS = {}

__all__ = ["WEB_DIRECTORY", "NODE_CLASS_MAPPINGS", "NODE_DISPLAY_NAME_MAPPINGS"]

import asyncio
import atexit
import ipaddress
import json
import logging
import os
import re
import shlex
import shutil
import signal
import subprocess
import threading
import time
from urllib.parse import urlsplit

try:
    import aiohttp
    from aiohttp import web
    from yarl import URL
except ImportError:  # outside ComfyUI: only the web directory matters
    aiohttp = None

PREFIX = "/model-depot"
KEY_HEADER = "X-Model-Depot-Key"
DEFAULT_SIDECAR_URL = "http://127.0.0.1:8190"
DEFAULT_PORT = 8190
# The sidecar takes bodies and messages up to 20 MiB and says so itself; past a little more the custom node stops
# reading, so a huge upload never sits whole in ComfyUI's memory.
MAX_BODY_BYTES = 21 * 1024 * 1024
MAX_MESSAGE_BYTES = 22 * 1024 * 1024
# The sidecar answers JSON (job lists, check results); anything this big is not one of its answers.
MAX_ANSWER_BYTES = 64 * 1024 * 1024
# Close codes the extension tells apart (4000-4999 are free for applications).
CLOSE_REFUSED = 4403
CLOSE_NOT_RUNNING = 4503
MIN_NODE = (20, 19)
# A sidecar started from the sources compiles them first: on a slow machine that takes a while.
START_TIMEOUT_S = 60.0
# After a failed start, requests fail at once with the same message for this long instead of starting again.
RETRY_START_AFTER_S = 30.0
# Written by `model-depot comfyui-install` next to this file; its `cli` is the model-depot to start.
INSTALL_MARKER = ".model-depot-install.json"
# Not forwarded: the request's own framing, ComfyUI's cookies and credentials, and any key a client made up.
FORWARDED_REQUEST_HEADERS = ("Content-Type", "Accept")
FORWARDED_ANSWER_HEADERS = ("Content-Type", "Retry-After")

_log = logging.getLogger("model-depot")


class SidecarUnavailable(Exception):
    """The sidecar cannot be reached; `message` says what to run or change."""

    def __init__(self, message, refused=False):
        super().__init__(message)
        self.message = message
        self.refused = refused


def _folder_paths():
    try:
        import folder_paths  # ComfyUI's module: models_dir and base_path follow its command line
    except ImportError:
        return None
    return folder_paths


def _models_dir():
    module = _folder_paths()
    models_dir = getattr(module, "models_dir", None) if module else None
    return models_dir if isinstance(models_dir, str) and models_dir else None


def _comfyui_dir():
    module = _folder_paths()
    base = getattr(module, "base_path", None) if module else None
    if isinstance(base, str) and base:
        return base
    models_dir = _models_dir()
    return os.path.dirname(models_dir) if models_dir else None


def _key_file():
    configured = os.environ.get("MODEL_DEPOT_KEY_FILE")
    if configured:
        return configured
    models_dir = _models_dir()
    return os.path.join(models_dir, ".registry", "sidecar-key") if models_dir else None


def _read_key(path):
    if path is None:
        return None
    try:
        with open(path, "r", encoding="utf-8") as handle:
            key = handle.read(1024).strip()
    except OSError:
        return None
    # The key is base64url; anything else in the file is not a key and must not reach a header.
    return key if re.fullmatch(r"[A-Za-z0-9_-]{16,200}", key) else None


def _cli_path():
    """bin/model-depot.cjs of the model-depot that installed this folder, or of the checkout it was built in."""
    here = os.path.dirname(os.path.abspath(__file__))
    try:
        with open(os.path.join(here, INSTALL_MARKER), "r", encoding="utf-8") as handle:
            cli = json.load(handle).get("cli")
        if isinstance(cli, str) and os.path.isfile(cli):
            return cli
        # Installed by a model-depot whose command was bin/model-depot.mjs: the same folder now holds the .cjs.
        if isinstance(cli, str) and cli.endswith("model-depot.mjs") and os.path.isfile(cli[: -len(".mjs")] + ".cjs"):
            return cli[: -len(".mjs")] + ".cjs"
    except (OSError, ValueError, AttributeError):
        pass
    # Installed as a symlink to dist/comfyui-model-depot, or loaded from there: the checkout is two folders up.
    beside = os.path.join(os.path.dirname(os.path.realpath(__file__)), "..", "..", "bin", "model-depot.cjs")
    return os.path.normpath(beside) if os.path.isfile(beside) else None


def _node_version(node):
    try:
        done = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.match(r"v?(\d+)\.(\d+)", done.stdout.strip())
    return (int(match.group(1)), int(match.group(2))) if match else None


def _command_line(argv):
    return subprocess.list2cmdline(argv) if os.name == "nt" else " ".join(shlex.quote(part) for part in argv)


def _is_loopback(host):
    return host in ("localhost", "::1") or bool(re.fullmatch(r"127(\.\d{1,3}){3}", host or ""))


def _without_default_port(netloc, scheme):
    netloc = netloc.strip().lower()
    for suffix in ((":80",) if scheme in ("http", "ws") else ()) + ((":443",) if scheme in ("https", "wss") else ()):
        if netloc.endswith(suffix):
            return netloc[: -len(suffix)]
    return netloc


def _untrusted_host(request):
    """Why the name a request was sent to is not trusted, or None. A web page that re-points its own DNS name at this
    machine (DNS rebinding) sends that name as Host, with a matching Origin: only names that cannot be re-pointed from
    outside are trusted (an IP address, localhost, an mDNS .local name), plus those listed in
    MODEL_DEPOT_ALLOWED_HOSTS (a reverse proxy's public name, a LAN DNS name)."""
    host = (request.headers.get("Host") or "").strip().lower()
    name = host[1 : host.find("]")] if host.startswith("[") else host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    if not name:
        return None  # HTTP/1.0 without Host: not a browser
    try:
        ipaddress.ip_address(name)
        return None
    except ValueError:
        pass
    if name == "localhost" or name.endswith(".localhost") or name.endswith(".local"):
        return None
    listed = [entry.strip().lower() for entry in os.environ.get("MODEL_DEPOT_ALLOWED_HOSTS", "").split(",")]
    if name in listed:
        return None
    return (
        "model-depot forwards requests sent to ComfyUI by IP address, localhost or a .local name; %s is none of them. "
        "If that is this ComfyUI's own name, add it to MODEL_DEPOT_ALLOWED_HOSTS (comma-separated) in ComfyUI's "
        "environment and restart ComfyUI." % json.dumps(name[:100])
    )


def _cross_site(request):
    """Why a request from a browser must not be forwarded, or None. Only ComfyUI's own pages may use the sidecar here:
    a page of another site could otherwise post to /model-depot/ through the user's browser."""
    origin = request.headers.get("Origin")
    if origin is None:
        return None  # not a browser (or a same-origin read, for which browsers send none)
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return "model-depot forwards only ComfyUI's own pages; this request came from an opaque or malformed Origin."
    wanted = _without_default_port(parts.netloc, parts.scheme)
    hosts = [request.headers.get("Host", "")]
    forwarded_host = request.headers.get("X-Forwarded-Host")
    if forwarded_host:
        hosts.append(forwarded_host.split(",")[0])
    for host in hosts:
        if host and _without_default_port(host, parts.scheme) == wanted:
            return None
    return "model-depot forwards only ComfyUI's own pages: Origin %s is not this server (%s)." % (
        json.dumps(origin[:100]),
        json.dumps(hosts[0][:100]),
    )


def _error(status, code, message):
    return web.json_response({"error": {"code": code, "message": message}}, status=status)


def _upstream_target(request):
    """/model-depot/<rest>?<query> as received (ComfyUI also serves every route under /api), still percent-encoded."""
    raw_path = request.rel_url.raw_path
    rest = raw_path[raw_path.find(PREFIX + "/") + len(PREFIX) :]
    query = request.rel_url.raw_query_string
    return PREFIX + rest + ("?" + query if query else "")


async def _read_bounded(stream, limit):
    """The whole stream, or None once it passes `limit` bytes (the rest is left unread)."""
    data = bytearray()
    async for chunk in stream.iter_chunked(64 * 1024):
        data.extend(chunk)
        if len(data) > limit:
            return None
    return bytes(data)


def _passable_close_code(code):
    # 1005, 1006 and 1015 describe a close and may not be sent; an abnormal end of one side is 1011 to the other.
    if isinstance(code, int) and (code in (1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011) or 3000 <= code <= 4999):
        return code
    return 1011


class Sidecar:
    """The link from ComfyUI's server to the sidecar: forwards requests and WebSockets, starts it when it is down."""

    def __init__(self, url):
        self.url = url.rstrip("/")
        parts = urlsplit(self.url)
        self.host = parts.hostname or ""
        self.port = parts.port or DEFAULT_PORT
        self._session = None
        self._start_lock = None
        self._process = None
        self._failed = None  # (monotonic time, message) of the last start that did not work

    # -- reaching the sidecar -----------------------------------------------------------------------------------

    def session(self):
        if self._session is None or self._session.closed:
            # No environment proxy for a loopback sidecar, no total timeout (a check may take a while), a quick
            # connect timeout so a dead sidecar is noticed at once.
            timeout = aiohttp.ClientTimeout(total=None, sock_connect=5, sock_read=600)
            self._session = aiohttp.ClientSession(timeout=timeout, trust_env=False)
        return self._session

    async def close(self, _app=None):
        if self._session is not None and not self._session.closed:
            await self._session.close()

    def headers(self, request):
        headers = {name: request.headers[name] for name in FORWARDED_REQUEST_HEADERS if name in request.headers}
        key = _read_key(_key_file())
        if key is not None:
            headers[KEY_HEADER] = key
        return headers

    async def reaching(self, attempt):
        """Runs `attempt()`; if the sidecar does not answer, starts it and tries once more."""
        try:
            return await attempt()
        except aiohttp.ClientConnectorError:
            await self.start()
        try:
            return await attempt()
        except aiohttp.ClientConnectorError:
            raise SidecarUnavailable(self.not_running("It stopped answering right after it started."))

    def key_missing_message(self):
        models_dir = _models_dir() or "ComfyUI's models folder"
        return (
            "The model-depot sidecar at %s is running but ComfyUI found no key from it at %s: it serves another "
            "models folder than ComfyUI (%s). Restart it with: %s; or set MODEL_DEPOT_KEY_FILE to the same file for "
            "ComfyUI and the sidecar."
            % (self.url, _key_file() or "<models>/.registry/sidecar-key", models_dir, self.manual_command())
        )

    # -- forwarding -----------------------------------------------------------------------------------------------

    async def forward_request(self, request):
        refusal = _untrusted_host(request) or _cross_site(request)
        if refusal is not None:
            return _error(403, "ORIGIN_REFUSED", refusal)
        body = await _read_bounded(request.content, MAX_BODY_BYTES)
        if body is None:
            return _error(413, "BAD_INPUT", "Request body is over %d MB; a workflow that big is not supported." % (MAX_BODY_BYTES // 2**20))
        url = URL(self.url + _upstream_target(request), encoded=True)

        async def attempt():
            # Read at each attempt: a sidecar started in between wrote a new key.
            headers = self.headers(request)
            async with self.session().request(request.method, url, headers=headers, data=body or None, allow_redirects=False) as answer:
                data = await _read_bounded(answer.content, MAX_ANSWER_BYTES)
                kept = {name: answer.headers[name] for name in FORWARDED_ANSWER_HEADERS if name in answer.headers}
                return answer.status, kept, data, KEY_HEADER in headers

        try:
            status, kept, data, sent_key = await self.reaching(attempt)
        except SidecarUnavailable as unavailable:
            return _error(403 if unavailable.refused else 503, "ORIGIN_REFUSED" if unavailable.refused else "SIDECAR_NOT_RUNNING", unavailable.message)
        except (aiohttp.ClientError, asyncio.TimeoutError) as broken:
            # Reached, then cut off or silent mid-answer: a clear 502 rather than ComfyUI's bare 500 and a traceback.
            return _error(502, "HTTP_ERROR", "The sidecar at %s stopped answering (%s); try again." % (self.url, type(broken).__name__))
        if data is None:
            return _error(502, "HTTP_ERROR", "The sidecar's answer is over %d MB; it was not forwarded." % (MAX_ANSWER_BYTES // 2**20))
        if status == 403 and not sent_key:
            return _error(403, "ORIGIN_REFUSED", self.key_missing_message())
        kept["Cache-Control"] = "no-store"
        return web.Response(status=status, body=data, headers=kept)

    async def forward_socket(self, request):
        refusal = _untrusted_host(request) or _cross_site(request)
        if refusal is not None:
            return _error(403, "ORIGIN_REFUSED", refusal)
        browser = web.WebSocketResponse(max_msg_size=MAX_MESSAGE_BYTES)
        if not browser.can_prepare(request).ok:
            return _error(400, "BAD_INPUT", "%s/ws is a WebSocket; other requests go to %s/<route>." % (PREFIX, PREFIX))
        url = URL(re.sub(r"^http", "ws", self.url) + _upstream_target(request), encoded=True)

        async def attempt():
            headers = self.headers(request)
            try:
                return await self.session().ws_connect(url, headers=headers, max_msg_size=MAX_MESSAGE_BYTES)
            except aiohttp.WSServerHandshakeError as refused:
                if refused.status == 403:
                    message = self.key_missing_message() if KEY_HEADER not in headers else "the sidecar refused the custom node's key"
                    raise SidecarUnavailable(message, refused=True)
                raise SidecarUnavailable(
                    "The sidecar at %s answered %s to %s/ws; update model-depot, then restart the sidecar."
                    % (self.url, refused.status, PREFIX),
                    refused=True,
                )

        try:
            upstream = await self.reaching(attempt)
        except SidecarUnavailable as unavailable:
            # The browser learns why from the close code; the full sentence comes from GET /model-depot/health.
            await browser.prepare(request)
            if unavailable.refused:
                await browser.close(code=CLOSE_REFUSED, message=b"model-depot: the sidecar refused the connection")
            else:
                await browser.close(code=CLOSE_NOT_RUNNING, message=b"model-depot: the sidecar is not running")
            return browser
        try:
            await browser.prepare(request)
            await _relay(browser, upstream)
        finally:
            await upstream.close()
        return browser

    # -- starting on demand ---------------------------------------------------------------------------------------

    def manual_command(self):
        cli = _cli_path()
        argv = ["node", cli] if cli else ["npx", "model-depot"]
        return _command_line(argv + self.serve_arguments())

    def serve_arguments(self):
        comfyui_dir = _comfyui_dir()
        arguments = ["serve"] + (["--comfyui", comfyui_dir] if comfyui_dir else [])
        return arguments + (["--port", str(self.port)] if self.port != DEFAULT_PORT else [])

    def not_running(self, reason):
        return "The model-depot sidecar is not running. %s Start it with: %s" % (reason, self.manual_command())

    def start_plan(self):
        """The command that starts the sidecar; raises SidecarUnavailable saying why it cannot be started here."""
        if not _is_loopback(self.host):
            raise SidecarUnavailable(
                "The model-depot sidecar at %s (MODEL_DEPOT_URL) does not answer. Start it on that machine: "
                "model-depot serve --host 0.0.0.0, with this ComfyUI's page in allowed_origins." % self.url
            )
        node = shutil.which("node")
        if node is None:
            raise SidecarUnavailable(self.not_running("ComfyUI cannot start it: Node.js (20.19 or newer) is not on its PATH."))
        version = _node_version(node)
        if version is None or version < MIN_NODE:
            found = "%d.%d" % version if version else "of unknown version"
            raise SidecarUnavailable(
                self.not_running("ComfyUI cannot start it: the node on its PATH is %s; model-depot needs 20.19 or newer." % found)
            )
        cli = _cli_path()
        if cli is None:
            raise SidecarUnavailable(
                self.not_running(
                    "ComfyUI does not know where model-depot is (run `model-depot comfyui-install --comfyui %s` "
                    "once to let it start the sidecar)." % (_comfyui_dir() or "<ComfyUI folder>")
                )
            )
        if _comfyui_dir() is None:
            raise SidecarUnavailable(self.not_running("ComfyUI's models folder is unknown (no folder_paths module)."))
        return [node, cli] + self.serve_arguments()

    async def answers(self):
        try:
            async with self.session().get(self.url + "/health", timeout=aiohttp.ClientTimeout(total=3)):
                return True
        except (aiohttp.ClientError, asyncio.TimeoutError):
            return False

    async def start(self):
        if self._start_lock is None:
            self._start_lock = asyncio.Lock()
        async with self._start_lock:
            if await self.answers():
                return
            if self._process is None or self._process.poll() is not None:
                # A start that failed is not tried again at every request (each would wait for it anew).
                if self._failed is not None and time.monotonic() - self._failed[0] < RETRY_START_AFTER_S:
                    raise SidecarUnavailable(self._failed[1])
                argv = await asyncio.get_running_loop().run_in_executor(None, self.start_plan)
                self.spawn(argv)
            try:
                await self.wait_until_answering()
            except SidecarUnavailable as unavailable:
                self._failed = (time.monotonic(), unavailable.message)
                raise
            self._failed = None

    def spawn(self, argv):
        cli = argv[1]
        # Its log lines go to ComfyUI's console; it runs in the model-depot folder, as `npm start` would.
        self._process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, cwd=os.path.dirname(os.path.dirname(cli)))
        _log.info("model-depot: started the sidecar (pid %d): %s", self._process.pid, _command_line(argv))
        _stop_at_exit(self._process)

    async def wait_until_answering(self):
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            code = self._process.poll()
            if code is not None:
                raise SidecarUnavailable(self.not_running("ComfyUI started it but it exited (code %s); start it yourself to see why." % code))
            if await self.answers():
                return
            await asyncio.sleep(0.25)
        raise SidecarUnavailable(self.not_running("ComfyUI started it but it did not answer within %d s." % START_TIMEOUT_S))


async def _relay(browser, upstream):
    """Passes messages both ways until one side closes, then closes the other with the same code."""

    async def pump(source, target):
        async for message in source:
            if message.type == aiohttp.WSMsgType.TEXT:
                await target.send_str(message.data)
            elif message.type == aiohttp.WSMsgType.BINARY:
                await target.send_bytes(message.data)
            else:
                break

    to_sidecar = asyncio.ensure_future(pump(browser, upstream))
    to_browser = asyncio.ensure_future(pump(upstream, browser))
    try:
        done, _ = await asyncio.wait({to_sidecar, to_browser}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (to_sidecar, to_browser):
            task.cancel()
        # A send to a side that just closed fails; that only ends the relay, as the close does.
        await asyncio.gather(to_sidecar, to_browser, return_exceptions=True)
    if to_browser in done:
        await browser.close(code=_passable_close_code(upstream.close_code))
    else:
        await upstream.close(code=_passable_close_code(browser.close_code))


_started = []
_stop_lock = threading.Lock()


def _stop_started():
    with _stop_lock:
        while _started:
            process = _started.pop()
            if process.poll() is not None:
                continue
            _log.info("model-depot: stopping the sidecar it started (pid %d)", process.pid)
            # SIGTERM lets it close the registry and keep partial downloads for resume.
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def _on_sigterm(signum, _frame):
    _stop_started()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def _stop_at_exit(process):
    if not getattr(_stop_at_exit, "registered", False):
        atexit.register(_stop_started)
        # atexit does not run when ComfyUI is ended by SIGTERM with no handler of its own: then stop the sidecar
        # first and end as SIGTERM would have. A handler ComfyUI set is left alone.
        try:
            if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
                signal.signal(signal.SIGTERM, _on_sigterm)
        except (ValueError, OSError, AttributeError):
            pass
        _stop_at_exit.registered = True
    _started.append(process)


def _install_routes():
    """Adds the forwarding routes to ComfyUI's server; without one (imported elsewhere) there is nothing to add."""
    if aiohttp is None:
        return None
    try:
        import server  # ComfyUI's own module
    except ImportError:
        return None
    instance = getattr(getattr(server, "PromptServer", None), "instance", None)
    routes = getattr(instance, "routes", None)
    if routes is None:
        return None
    sidecar = Sidecar(os.environ.get("MODEL_DEPOT_URL") or DEFAULT_SIDECAR_URL)
    # The WebSocket first: aiohttp matches routes in the order they were added.
    routes.get(PREFIX + "/ws")(sidecar.forward_socket)
    routes.route("*", PREFIX + "/{rest:.*}")(sidecar.forward_request)
    app = getattr(instance, "app", None)
    try:
        app.on_cleanup.append(sidecar.close)
    except (AttributeError, RuntimeError):
        pass  # no app to hook, or one already running: the session then closes with the process
    return sidecar


try:
    _sidecar = _install_routes()
except Exception:  # a failure here must not keep ComfyUI from loading the extension's web directory
    _log.exception("model-depot: could not add the /model-depot/ routes; the extension will connect directly")
    _sidecar = None
