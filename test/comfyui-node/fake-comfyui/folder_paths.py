"""A stand-in for ComfyUI's `folder_paths`: where ComfyUI keeps its models (FAKE_COMFYUI_BASE/models)."""

import os

base_path = os.environ["FAKE_COMFYUI_BASE"]
models_dir = os.path.join(base_path, "models")
