"""The benchmark's model list: every model in ../shared/models, with the
options a user needs to compile it (pinned dimensions, constant inputs)."""
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS_DIR = os.environ.get("TINYMLC_MODELS",
                            os.path.join(os.path.dirname(ROOT), "shared", "models"))


def model_options(name):
    """Extra tinymlc arguments for a model folder."""
    d = os.path.join(MODELS_DIR, name)
    if name == "tflm-hello-world-sine":
        return ["--dim", "N=1"]
    if name == "silero-vad-v5":
        return ["--shape", "input=1x512", "--shape", "state=2x1x128",
                "--const", "sr=" + os.path.join(d, "ref", "input_2.bin")]
    return []


def models():
    """(folder name, model path) for every model present."""
    out = []
    if not os.path.isdir(MODELS_DIR):
        return out
    for name in sorted(os.listdir(MODELS_DIR)):
        path = os.path.join(MODELS_DIR, name, "model.onnx")
        if os.path.exists(path):
            out.append((name, path))
    return out
