#!/usr/bin/env python3
"""Train the tinymlc "digits" example CNN and export it to ONNX.

Run with Debian's interpreter from anywhere:

    /usr/bin/python3 examples/digits/train.py

Needs numpy, scikit-learn (python3-sklearn) and onnx (python3-onnx). The model
is trained in plain numpy with hand-written backprop; everything is seeded, so
running the script twice produces byte-identical output files.

Writes, next to this script:
  digits_cnn.onnx      the trained model (opset 13, IR version 7)
  samples.bin          10 held-out test images, float32 [10,1,8,8] raw little-endian
  labels.txt           their 10 labels, space separated on one line
  expected_logits.bin  reference logits for those images, float32 [10,10]
"""

import os

# Single-threaded BLAS keeps the float summation order, and so the result, fixed.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import numpy as np  # noqa: E402
import onnx  # noqa: E402
from onnx import TensorProto, helper, numpy_helper  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 0
EPOCHS = 60
BATCH = 32
LR = 3e-3


# ----------------------------------------------------------------------------
# Data
# ----------------------------------------------------------------------------
def load_data():
    digits = load_digits()
    x = (digits.images.astype(np.float32) / 16.0).reshape(-1, 1, 8, 8)
    y = digits.target.astype(np.int64)
    return train_test_split(x, y, test_size=0.2, random_state=0, stratify=y)


# ----------------------------------------------------------------------------
# Training-time layers (vectorised, float32, manual backprop)
# ----------------------------------------------------------------------------
def im2col(x):
    """x: [N,C,H,W] -> cols [N*H*W, C*9] for a 3x3 kernel, stride 1, pad 1."""
    n, c, h, w = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    cols = np.empty((n, c, 3, 3, h, w), dtype=x.dtype)
    for ky in range(3):
        for kx in range(3):
            cols[:, :, ky, kx] = xp[:, :, ky:ky + h, kx:kx + w]
    return cols.transpose(0, 4, 5, 1, 2, 3).reshape(n * h * w, c * 9)


def col2im(dcols, shape):
    """Adjoint of im2col: dcols [N*H*W, C*9] -> dx [N,C,H,W]."""
    n, c, h, w = shape
    d = dcols.reshape(n, h, w, c, 3, 3).transpose(0, 3, 4, 5, 1, 2)
    dxp = np.zeros((n, c, h + 2, w + 2), dtype=dcols.dtype)
    for ky in range(3):
        for kx in range(3):
            dxp[:, :, ky:ky + h, kx:kx + w] += d[:, :, ky, kx]
    return dxp[:, :, 1:h + 1, 1:w + 1]


def conv_fwd(x, w, b):
    n, _, h, wd = x.shape
    cols = im2col(x)
    out = cols @ w.reshape(w.shape[0], -1).T + b
    return out.reshape(n, h, wd, -1).transpose(0, 3, 1, 2), cols


def conv_bwd(dout, cols, x_shape, w):
    m = w.shape[0]
    d = dout.transpose(0, 2, 3, 1).reshape(-1, m)
    dw = (d.T @ cols).reshape(w.shape)
    db = d.sum(axis=0)
    dcols = d @ w.reshape(m, -1)
    return col2im(dcols, x_shape), dw, db


def pool_fwd(x):
    """2x2 max pool, stride 2. Returns output and a one-hot mask of the argmax."""
    n, c, h, w = x.shape
    win = x.reshape(n, c, h // 2, 2, w // 2, 2).transpose(0, 1, 2, 4, 3, 5)
    win = win.reshape(n, c, h // 2, w // 2, 4)
    idx = win.argmax(axis=-1)
    mask = np.zeros_like(win)
    np.put_along_axis(mask, idx[..., None], 1.0, axis=-1)
    return win.max(axis=-1), mask


def pool_bwd(dout, mask):
    n, c, h2, w2, _ = mask.shape
    d = mask * dout[..., None]
    d = d.reshape(n, c, h2, w2, 2, 2).transpose(0, 1, 2, 4, 3, 5)
    return d.reshape(n, c, h2 * 2, w2 * 2)


def forward_train(p, x):
    c1, cols1 = conv_fwd(x, p["conv1_W"], p["conv1_B"])
    r1 = np.maximum(c1, 0)
    p1, m1 = pool_fwd(r1)
    c2, cols2 = conv_fwd(p1, p["conv2_W"], p["conv2_B"])
    r2 = np.maximum(c2, 0)
    p2, m2 = pool_fwd(r2)
    f = p2.reshape(x.shape[0], -1)
    logits = f @ p["fc_W"].T + p["fc_B"]
    cache = (x, c1, cols1, p1, m1, c2, cols2, m2, f)
    return logits, cache


def backward(p, cache, dlogits):
    x, c1, cols1, p1, m1, c2, cols2, m2, f = cache
    g = {}
    g["fc_W"] = dlogits.T @ f
    g["fc_B"] = dlogits.sum(axis=0)
    df = dlogits @ p["fc_W"]
    dp2 = df.reshape(-1, 16, 2, 2)
    dr2 = pool_bwd(dp2, m2)
    dc2 = dr2 * (c2 > 0)
    dp1, g["conv2_W"], g["conv2_B"] = conv_bwd(dc2, cols2, p1.shape, p["conv2_W"])
    dr1 = pool_bwd(dp1, m1)
    dc1 = dr1 * (c1 > 0)
    _, g["conv1_W"], g["conv1_B"] = conv_bwd(dc1, cols1, x.shape, p["conv1_W"])
    return g


def init_params(rng):
    def he(shape, fan_in):
        return (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(np.float32)

    return {
        "conv1_W": he((8, 1, 3, 3), 9),
        "conv1_B": np.zeros(8, np.float32),
        "conv2_W": he((16, 8, 3, 3), 72),
        "conv2_B": np.zeros(16, np.float32),
        "fc_W": he((10, 64), 64),
        "fc_B": np.zeros(10, np.float32),
    }


def train(x_train, y_train):
    rng = np.random.default_rng(SEED)
    p = init_params(rng)
    # Adam
    m = {k: np.zeros_like(v) for k, v in p.items()}
    v = {k: np.zeros_like(v) for k, v in p.items()}
    b1, b2, eps = 0.9, 0.999, 1e-8
    t = 0
    n = x_train.shape[0]
    for epoch in range(EPOCHS):
        lr = LR * 0.5 * (1.0 + np.cos(np.pi * epoch / EPOCHS))  # cosine decay
        order = rng.permutation(n)
        total = 0.0
        for s in range(0, n, BATCH):
            bi = order[s:s + BATCH]
            xb, yb = x_train[bi], y_train[bi]
            logits, cache = forward_train(p, xb)
            z = logits - logits.max(axis=1, keepdims=True)
            e = np.exp(z)
            prob = e / e.sum(axis=1, keepdims=True)
            total += -np.log(prob[np.arange(len(yb)), yb] + 1e-12).sum()
            dlogits = prob
            dlogits[np.arange(len(yb)), yb] -= 1.0
            dlogits = (dlogits / len(yb)).astype(np.float32)
            g = backward(p, cache, dlogits)
            t += 1
            for k in p:
                m[k] = b1 * m[k] + (1 - b1) * g[k]
                v[k] = b2 * v[k] + (1 - b2) * g[k] * g[k]
                mh = m[k] / (1 - b1 ** t)
                vh = v[k] / (1 - b2 ** t)
                p[k] = (p[k] - lr * mh / (np.sqrt(vh) + eps)).astype(np.float32)
        if epoch % 10 == 9 or epoch == EPOCHS - 1:
            print(f"epoch {epoch + 1:3d}  loss {total / n:.4f}")
    return p


# ----------------------------------------------------------------------------
# Straightforward reference forward pass (direct loops, float64 accumulation),
# independent of the vectorised training code above. Used for expected_logits.
# ----------------------------------------------------------------------------
def ref_conv3x3_pad1(x, w, b):
    c_in, h, wd = x.shape
    c_out = w.shape[0]
    xp = np.zeros((c_in, h + 2, wd + 2))
    xp[:, 1:h + 1, 1:wd + 1] = x
    y = np.zeros((c_out, h, wd))
    for o in range(c_out):
        for i in range(h):
            for j in range(wd):
                y[o, i, j] = b[o] + np.sum(xp[:, i:i + 3, j:j + 3] * w[o])
    return y


def ref_maxpool2x2(x):
    c, h, w = x.shape
    y = np.zeros((c, h // 2, w // 2))
    for ch in range(c):
        for i in range(h // 2):
            for j in range(w // 2):
                y[ch, i, j] = x[ch, 2 * i:2 * i + 2, 2 * j:2 * j + 2].max()
    return y


def ref_forward(p, image):
    """image: [1,8,8] -> logits [10]; float32 parameters, float64 arithmetic."""
    q = {k: v.astype(np.float64) for k, v in p.items()}
    x = image.astype(np.float64)
    x = ref_maxpool2x2(np.maximum(ref_conv3x3_pad1(x, q["conv1_W"], q["conv1_B"]), 0.0))
    x = ref_maxpool2x2(np.maximum(ref_conv3x3_pad1(x, q["conv2_W"], q["conv2_B"]), 0.0))
    f = x.reshape(-1)  # Flatten: C-order over [16,2,2]
    return q["fc_W"] @ f + q["fc_B"]  # Gemm with transB=1


# ----------------------------------------------------------------------------
# ONNX export
# ----------------------------------------------------------------------------
def export_onnx(p, path):
    inits = [numpy_helper.from_array(np.ascontiguousarray(p[k], dtype=np.float32), k)
             for k in ("conv1_W", "conv1_B", "conv2_W", "conv2_B", "fc_W", "fc_B")]
    conv_attrs = dict(kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[1, 1])
    pool_attrs = dict(kernel_shape=[2, 2], strides=[2, 2])
    nodes = [
        helper.make_node("Conv", ["image", "conv1_W", "conv1_B"], ["conv1_out"], name="conv1", **conv_attrs),
        helper.make_node("Relu", ["conv1_out"], ["relu1_out"], name="relu1"),
        helper.make_node("MaxPool", ["relu1_out"], ["pool1_out"], name="pool1", **pool_attrs),
        helper.make_node("Conv", ["pool1_out", "conv2_W", "conv2_B"], ["conv2_out"], name="conv2", **conv_attrs),
        helper.make_node("Relu", ["conv2_out"], ["relu2_out"], name="relu2"),
        helper.make_node("MaxPool", ["relu2_out"], ["pool2_out"], name="pool2", **pool_attrs),
        helper.make_node("Flatten", ["pool2_out"], ["flatten_out"], name="flatten", axis=1),
        helper.make_node("Gemm", ["flatten_out", "fc_W", "fc_B"], ["logits"], name="fc",
                         alpha=1.0, beta=1.0, transB=1),
    ]
    graph = helper.make_graph(
        nodes,
        "digits_cnn",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 1, 8, 8])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 10])],
        initializer=inits,
    )
    model = helper.make_model(
        graph,
        producer_name="tinymlc-examples-digits",
        producer_version="1",
        opset_imports=[helper.make_opsetid("", 13)],
    )
    model.ir_version = 7
    model.doc_string = ("Small CNN classifying sklearn load_digits 8x8 images "
                        "(pixels scaled to [0,1]); output: 10 logits.")
    onnx.checker.check_model(model)
    with open(path, "wb") as f:
        f.write(model.SerializeToString())


def main():
    x_train, x_test, y_train, y_test = load_data()
    print(f"train {len(y_train)}  test {len(y_test)}")
    p = train(x_train, y_train)

    logits, _ = forward_train(p, x_test)
    acc = float((logits.argmax(axis=1) == y_test).mean())
    print(f"test accuracy: {acc * 100:.2f}% ({int(round(acc * len(y_test)))}/{len(y_test)})")

    export_onnx(p, os.path.join(HERE, "digits_cnn.onnx"))

    # First held-out test image of each class 0..9.
    picks = [int(np.flatnonzero(y_test == c)[0]) for c in range(10)]
    samples = np.ascontiguousarray(x_test[picks], dtype="<f4")  # [10,1,8,8]
    labels = y_test[picks]
    expected = np.stack([ref_forward(p, samples[i]) for i in range(10)]).astype("<f4")
    ref_acc = int((expected.argmax(axis=1) == labels).sum())
    print(f"reference forward on the 10 samples: {ref_acc}/10 correct")

    with open(os.path.join(HERE, "samples.bin"), "wb") as f:
        f.write(samples.tobytes())
    with open(os.path.join(HERE, "labels.txt"), "w") as f:
        f.write(" ".join(str(int(l)) for l in labels) + "\n")
    with open(os.path.join(HERE, "expected_logits.bin"), "wb") as f:
        f.write(expected.tobytes())


if __name__ == "__main__":
    main()
