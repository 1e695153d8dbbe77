"""The rest of ComfyUI's web server for a stand-in frontend page: what the page itself asks ComfyUI for.

Serves the page (index.html at /, its files under /stand-in/), the /scripts/*.js shims over window.comfyAPI, and the
API routes the page reads: GET /api/settings (FAKE_COMFYUI_SETTINGS, JSON), GET /api/extensions (every .js under the
custom nodes' web directories, as /extensions/<name>/<file>) and GET /api/experiment/models/{folder} (the model files
of one folder under models_dir, as ComfyUI lists them).
"""

import json
import os

from aiohttp import web

SHIMS = {
    "/scripts/app.js": "const app = window.comfyAPI.app.app;\nexport { app };\n",
    "/scripts/api.js": "const api = window.comfyAPI.api.api;\nexport { api };\n",
}
MODEL_EXTENSIONS = (".safetensors", ".ckpt", ".pt", ".pth", ".bin", ".sft")


def add_stand_in_routes(app, page_dir, web_dirs, models_dir, settings):
    """Adds the page's routes to `app`; `web_dirs` maps each custom node's name to its web directory."""

    async def index(_request):
        return web.FileResponse(os.path.join(page_dir, "index.html"), headers={"Cache-Control": "no-store"})

    def shim(text):
        async def handler(_request):
            return web.Response(text=text, content_type="text/javascript", headers={"Cache-Control": "no-store"})

        return handler

    async def get_settings(_request):
        return web.json_response(settings)

    async def extensions(_request):
        urls = []
        for name, directory in web_dirs.items():
            for root, _dirs, files in os.walk(directory):
                for file in sorted(files):
                    if file.endswith(".js"):
                        relative = os.path.relpath(os.path.join(root, file), directory).replace(os.sep, "/")
                        urls.append("/extensions/%s/%s" % (name, relative))
        return web.json_response(urls)

    async def models(request):
        folder = os.path.join(models_dir, request.match_info["folder"])
        names = []
        for root, _dirs, files in os.walk(folder):
            for file in files:
                if file.endswith(MODEL_EXTENSIONS):
                    names.append(os.path.relpath(os.path.join(root, file), folder).replace(os.sep, "/"))
        return web.json_response([{"name": name, "pathIndex": 0} for name in sorted(names)])

    async def favicon(_request):
        return web.Response(status=204)

    app.router.add_get("/", index)
    app.router.add_get("/favicon.ico", favicon)
    for path, text in SHIMS.items():
        app.router.add_get(path, shim(text))
    app.router.add_get("/api/settings", get_settings)
    app.router.add_get("/api/extensions", extensions)
    app.router.add_get("/api/experiment/models/{folder:[a-z_]+}", models)
    app.router.add_static("/stand-in/", page_dir)


def settings_from_environment():
    return json.loads(os.environ.get("FAKE_COMFYUI_SETTINGS") or "{}")
