"""Runs a ComfyUI-like aiohttp server with one custom node, as ComfyUI's main.py does.

Usage: main.py <custom node folder>. Prints "listening http://127.0.0.1:<port>" once it serves, on FAKE_COMFYUI_PORT
(default: a free port). With FAKE_COMFYUI_STAND_IN (a folder holding a stand-in frontend page) it also serves that page
and the API routes it reads (stand_in.py). The server module is
created first, then the custom node is imported the way ComfyUI imports it (its folder name as the module name),
then the routes are registered. Stops on SIGINT (a normal exit: atexit handlers run) or SIGTERM.
"""

import asyncio
import importlib.util
import logging
import os
import sys

from aiohttp import web

import folder_paths
import server
from stand_in import add_stand_in_routes, settings_from_environment


def load_custom_node(folder):
    name = os.path.basename(folder.rstrip(os.sep))
    spec = importlib.util.spec_from_file_location(name, os.path.join(folder, "__init__.py"), submodule_search_locations=[folder])
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return name, module


def main():
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(levelname)s %(message)s")
    folder = sys.argv[1]
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    prompt_server = server.PromptServer(loop)
    name, module = load_custom_node(folder)
    web_dirs = {name: os.path.join(folder, module.WEB_DIRECTORY)}
    prompt_server.add_routes(web_dirs)
    page_dir = os.environ.get("FAKE_COMFYUI_STAND_IN")
    if page_dir:
        add_stand_in_routes(prompt_server.app, page_dir, web_dirs, folder_paths.models_dir, settings_from_environment())
    runner = web.AppRunner(prompt_server.app)
    loop.run_until_complete(runner.setup())
    site = web.TCPSite(runner, "127.0.0.1", int(os.environ.get("FAKE_COMFYUI_PORT") or 0))
    try:
        loop.run_until_complete(site.start())
    except OSError as error:
        sys.exit("fake ComfyUI could not listen on 127.0.0.1:%s: %s" % (os.environ.get("FAKE_COMFYUI_PORT"), error))
    print("listening http://127.0.0.1:%d" % runner.addresses[0][1], flush=True)
    try:
        loop.run_forever()
    except KeyboardInterrupt:
        pass
    finally:
        loop.run_until_complete(runner.cleanup())
        loop.close()


if __name__ == "__main__":
    main()
