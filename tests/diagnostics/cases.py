"""The diagnostics cases: one per user-facing error of the tinymlc CLI.

Each case says how to build its input files (in an empty temporary directory,
which is also the working directory of the run, so messages start with a
relative file name), the command line after `tinymlc`, the expected exit code
(1 for bad input, 2 for a bad command line; a tuple lists the acceptable
ones) and the expected stderr, line by line. `stdout` lists lines that must
appear in stdout, in order.

A case with `skip` documents a bug: it is written as tinymlc should behave and
is reported as skipped (exit code 77) until the bug is fixed; `--no-skip`
runs it anyway. Such cases may give `stderr_re`, a regular expression for the
single stderr line (or for "" when stderr may be empty), where the exact
wording is not decided yet.

Models are built with the onnx package of Debian's python3 at test time, so
nothing binary is checked in. onnx is imported lazily: listing the cases
(CMake does that at configure time) needs only the standard library.
"""

import random

MODEL = "model.onnx"
NOT_PARSED = ("not a valid ONNX model: the protobuf does not parse (is the file truncated, "
              "or not an .onnx file?)")


class Case:
    def __init__(self, name, argv, exit, stderr=(), build=None, stdout=(), stderr_re=None,
                 skip=None):
        self.name = name
        self.argv = list(argv)
        self.exit = exit
        self.stderr = [stderr] if isinstance(stderr, str) else list(stderr)
        self.build = build
        self.stdout = list(stdout)
        self.stderr_re = stderr_re
        self.skip = skip


# --------------------------------------------------------------------------
# Model builders
# --------------------------------------------------------------------------

def _onnx():
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    return onnx, helper, numpy_helper, TensorProto


def make_model(nodes, inputs, outputs, initializers=(), opset=17, domains=()):
    """A ModelProto with IR version 8 importing `opset` of the default domain
    and version 1 of each of `domains`."""
    onnx, helper, _, _ = _onnx()
    graph = helper.make_graph(nodes, "g", inputs, outputs, initializer=list(initializers))
    opsets = [helper.make_opsetid("", opset)] + [helper.make_opsetid(d, 1) for d in domains]
    m = helper.make_model(graph, opset_imports=opsets, producer_name="diagnostics")
    m.ir_version = 8
    return m


def tensor(name, shape, elem=None):
    onnx, helper, _, TensorProto = _onnx()
    return helper.make_tensor_value_info(name, TensorProto.FLOAT if elem is None else elem,
                                         shape)


def array(name, values):
    _, _, numpy_helper, _ = _onnx()
    return numpy_helper.from_array(values, name)


def conv_relu_model():
    """x f32[1,1,4,4] -> Conv 'conv' (2 ones 3x3 filters, pads 1) -> Relu 'relu' -> y."""
    import numpy as np
    _, helper, _, _ = _onnx()
    return make_model(
        [helper.make_node("Conv", ["x", "w"], ["t"], name="conv", pads=[1, 1, 1, 1]),
         helper.make_node("Relu", ["t"], ["y"], name="relu")],
        [tensor("x", [1, 1, 4, 4])], [tensor("y", [1, 2, 4, 4])],
        [array("w", np.ones((2, 1, 3, 3), np.float32))])


def unary_model(shape, elem=None, out_shape=None, opset=17):
    """x -> Relu 'r' -> y, x and y of `shape` (ints, names or None)."""
    _, helper, _, _ = _onnx()
    return make_model([helper.make_node("Relu", ["x"], ["y"], name="r")],
                      [tensor("x", shape, elem)],
                      [tensor("y", shape if out_shape is None else out_shape, elem)],
                      opset=opset)


def save(model, name=MODEL):
    def build(d):
        onnx = _onnx()[0]
        onnx.save(model() if callable(model) else model, str(d / name))
    return build


def write(name, data):
    def build(d):
        (d / name).write_bytes(data() if callable(data) else data)
    return build


def npy(name, values):
    def build(d):
        import numpy as np
        np.save(str(d / name), values())
    return build


def mkdir(name):
    def build(d):
        (d / name).mkdir(parents=True, exist_ok=True)
    return build


def calib(files):
    """A calibration directory 'cal' holding `files` ({name: bytes or callable -> ndarray})."""
    def build(d):
        import numpy as np
        (d / "cal").mkdir()
        for name, data in files.items():
            data = data() if callable(data) else data
            if isinstance(data, bytes):
                (d / "cal" / name).write_bytes(data)
            else:
                np.save(str(d / "cal" / name), data)
    return build


def both(*builders):
    def build(d):
        for b in builders:
            b(d)
    return build


def target_file(name="t.json", ram_size=1024, flash="1M", text=None, **extra):
    """A user's target description: one RAM region of `ram_size` bytes."""
    import json
    doc = {"name": "mine", "arch": "arm", "core": "cortex-m4",
           "memory": {"regions": [{"name": "sram", "size": ram_size}], "flash": flash}}
    doc.update(extra)
    return write(name, (text if text is not None else json.dumps(doc)).encode())


def big_gemm_model():
    """x f32[1,1500] -> MatMul by 1500x100 ones (600,000 bytes of weights) -> y."""
    import numpy as np
    _, helper, _, _ = _onnx()
    return make_model([helper.make_node("MatMul", ["x", "w"], ["y"], name="mm")],
                      [tensor("x", [1, 1500])], [tensor("y", [1, 100])],
                      [array("w", np.ones((1500, 100), np.float32))])


def truncated(d):
    data = conv_relu_model().SerializeToString()
    (d / MODEL).write_bytes(data[:len(data) // 2])


def random_bytes(d):
    (d / MODEL).write_bytes(random.Random(20240611).randbytes(256))


def random_model():
    """An op tinymlc will not compile: it draws random numbers."""
    _, helper, _, _ = _onnx()
    return make_model([helper.make_node("RandomUniformLike", ["x"], ["y"], name="rnd")],
                      [tensor("x", [2, 2])], [tensor("y", [2, 2])])


def custom_op_model():
    _, helper, _, _ = _onnx()
    return make_model([helper.make_node("Frobnicate", ["x"], ["y"], name="frob")],
                      [tensor("x", [2])], [tensor("y", [2])])


def microsoft_model():
    import numpy as np
    _, helper, _, _ = _onnx()
    return make_model([helper.make_node("FusedConv", ["x", "w"], ["y"], name="fconv",
                                        domain="com.microsoft", activation="Relu")],
                      [tensor("x", [1, 1, 4, 4])], [tensor("y", [1, 2, 2, 2])],
                      [array("w", np.ones((2, 1, 3, 3), np.float32))],
                      domains=["com.microsoft"])


def no_default_domain_model():
    _, helper, _, _ = _onnx()
    m = unary_model([2])
    del m.opset_import[:]
    m.opset_import.append(helper.make_opsetid("com.example", 1))
    return m


def opset18_model():
    m = unary_model([2, 3])
    m.opset_import[0].version = 18
    return m


def sequence_input_model():
    _, helper, _, TensorProto = _onnx()
    seq = helper.make_tensor_sequence_value_info("s", TensorProto.FLOAT, [2])
    return make_model([helper.make_node("SequenceLength", ["s"], ["n"], name="len")],
                      [seq], [tensor("n", [], TensorProto.INT64)])


def batchnorm_training_model():
    import numpy as np
    _, helper, _, _ = _onnx()
    params = [array(n, np.ones(2, np.float32)) for n in ("scale", "bias", "mean", "var")]
    return make_model([helper.make_node("BatchNormalization",
                                        ["x", "scale", "bias", "mean", "var"], ["y"],
                                        name="bn", training_mode=1)],
                      [tensor("x", [1, 2, 3, 3])], [tensor("y", [1, 2, 3, 3])], params)


def gemm_3d_model():
    import numpy as np
    _, helper, _, _ = _onnx()
    return make_model([helper.make_node("Gemm", ["x", "w"], ["y"], name="fc")],
                      [tensor("x", [1, 2, 3])], [tensor("y", [1, 4])],
                      [array("w", np.ones((3, 4), np.float32))])


def quantize_axis_model():
    """QuantizeLinear 'q' of x f32[1,3,2,2] with 4 scales along axis 1."""
    import numpy as np
    _, helper, _, TensorProto = _onnx()
    return make_model([helper.make_node("QuantizeLinear", ["x", "s", "z"], ["y"], name="q",
                                        axis=1)],
                      [tensor("x", [1, 3, 2, 2])], [tensor("y", [1, 3, 2, 2], TensorProto.INT8)],
                      [array("s", np.ones(4, np.float32)), array("z", np.zeros(4, np.int8))])


def qlinear_conv_bias_model():
    """QLinearConv 'qconv' whose bias is int8 instead of int32."""
    import numpy as np
    _, helper, _, TensorProto = _onnx()
    one = lambda n: array(n, np.array(1.0, np.float32))  # noqa: E731
    zero = lambda n: array(n, np.array(0, np.int8))  # noqa: E731
    return make_model([helper.make_node("QLinearConv", ["x", "xs", "xz", "w", "ws", "wz", "ys",
                                                        "yz", "b"], ["y"], name="qconv")],
                      [tensor("x", [1, 1, 3, 3], TensorProto.INT8)],
                      [tensor("y", [1, 2, 3, 3], TensorProto.INT8)],
                      [one("xs"), zero("xz"), array("w", np.ones((2, 1, 1, 1), np.int8)),
                       one("ws"), zero("wz"), one("ys"), zero("yz"),
                       array("b", np.zeros(2, np.int8))])


def conv_auto_pad_model():
    # ONNX's own shape inference treats an unknown auto_pad as no padding, so
    # the declared output shape is that of a VALID convolution: the model
    # passes ONNX's checks and reaches tinymlc's.
    import numpy as np
    _, helper, _, _ = _onnx()
    return make_model([helper.make_node("Conv", ["x", "w"], ["y"], name="conv",
                                        auto_pad="FOO")],
                      [tensor("x", [1, 1, 4, 4])], [tensor("y", [1, 2, 2, 2])],
                      [array("w", np.ones((2, 1, 3, 3), np.float32))])


def conv_group_model():
    import numpy as np
    _, helper, _, _ = _onnx()
    return make_model([helper.make_node("Conv", ["x", "w"], ["y"], name="conv3", group=3)],
                      [tensor("x", [1, 16, 8, 8])], [tensor("y", [1, 6, 6, 6])],
                      [array("w", np.ones((6, 5, 3, 3), np.float32))])


def cast_float16_model():
    _, helper, _, TensorProto = _onnx()
    return make_model([helper.make_node("Cast", ["x"], ["y"], name="to_half",
                                        to=TensorProto.FLOAT16)],
                      [tensor("x", [2])], [tensor("y", [2], TensorProto.FLOAT16)])


def gather_out_of_range_model():
    import numpy as np
    _, helper, _, _ = _onnx()
    return make_model([helper.make_node("Gather", ["x", "idx"], ["y"], name="take")],
                      [tensor("x", [3, 2])], [tensor("y", [1, 2])],
                      [array("idx", np.array([7], np.int64))])


def reshape_runtime_shape_model():
    _, helper, _, TensorProto = _onnx()
    return make_model([helper.make_node("Reshape", ["x", "shape"], ["y"], name="rs")],
                      [tensor("x", [2, 3]), tensor("shape", [2], TensorProto.INT64)],
                      [tensor("y", [3, 2])])


def external_data_model():
    import numpy as np
    _, helper, _, TensorProto = _onnx()
    m = make_model([helper.make_node("Relu", ["w"], ["y"], name="r")], [],
                   [tensor("y", [4])], [array("w", np.ones(4, np.float32))])
    w = m.graph.initializer[0]
    w.ClearField("raw_data")
    w.data_location = TensorProto.EXTERNAL
    entry = w.external_data.add()
    entry.key = "location"
    entry.value = "weights.bin"
    return m


def two_inputs_model():
    _, helper, _, _ = _onnx()
    return make_model([helper.make_node("Add", ["a", "b"], ["y"], name="add")],
                      [tensor("a", [2]), tensor("b", [2])], [tensor("y", [2])])


def two_unsupported_model():
    _, helper, _, _ = _onnx()
    return make_model(
        [helper.make_node("RandomUniformLike", ["x"], ["a"], name="rnd"),
         helper.make_node("Relu", ["a"], ["b"], name="relu"),
         helper.make_node("RandomNormalLike", ["x"], ["c"], name="rndn"),
         helper.make_node("Add", ["b", "c"], ["y"], name="add")],
        [tensor("x", [2, 2])], [tensor("y", [2, 2])])


def conv_rank2_input_model(opset=17):
    import numpy as np
    _, helper, _, _ = _onnx()
    return make_model([helper.make_node("Conv", ["x", "w"], ["y"], name="conv")],
                      [tensor("x", [2, 3])], [tensor("y", [2, 3])],
                      [array("w", np.ones((2, 1, 3, 3), np.float32))], opset=opset)


def renamed(model, placeholder, name):
    """`model` serialized with the bytes `placeholder` replaced by `name` (the
    same length, so no protobuf length changes): names that the onnx package
    refuses to set, such as invalid UTF-8."""
    assert len(placeholder) == len(name)

    def build(d):
        data = model().SerializeToString()
        assert data.count(placeholder) == 1
        (d / MODEL).write_bytes(data.replace(placeholder, name))
    return build


def conv_named_placeholder():
    m = conv_relu_model()
    m.graph.node[0].name = "convXX"
    return m


def random_newline_name():
    m = random_model()
    m.graph.node[0].name = "rn\nd"
    return m


def x_npy(dtype="float32", shape=(1, 1, 4, 4)):
    def values():
        import numpy as np
        return np.ones(shape, dtype)
    return values


def five_floats():
    import numpy as np
    return np.ones(5, np.float32)


# --------------------------------------------------------------------------
# Firmware for `tinymlc size`: a minimal little-endian ELF32 written here
# --------------------------------------------------------------------------

def elf32(symbols=(), symtab=True, cut=None):
    """An ARM ELF32 with .text (code, 256 bytes), .bss (RAM, 4096 bytes) and,
    with `symtab`, the symbols (name, section 'text' or 'bss', size, 'func' or
    'object'); `cut` truncates the file to that many bytes."""
    import struct

    def strtab(names):
        data, at = b"\0", {}
        for n in names:
            at[n] = len(data)
            data += n.encode() + b"\0"
        return data, at

    sec_names = [".text", ".bss", ".shstrtab"] + ([".symtab", ".strtab"] if symtab else [])
    shstr, shat = strtab(sec_names)
    sym_str, sat = strtab([s[0] for s in symbols])
    index = {"text": 1, "bss": 2}
    syms = struct.pack("<IIIBBH", 0, 0, 0, 0, 0, 0)
    for name, sec, size, kind in symbols:
        info = (1 << 4) | (2 if kind == "func" else 1)  # GLOBAL, FUNC/OBJECT
        syms += struct.pack("<IIIBBH", sat[name], 0, size, info, 0, index[sec])
    body = bytearray(b"\0" * 52)
    text_off = len(body)
    body += b"\0" * 256
    shstr_off = len(body)
    body += shstr
    sym_off = len(body)
    if symtab:
        body += syms
    str_off = len(body)
    if symtab:
        body += sym_str
    while len(body) % 4:
        body += b"\0"
    shoff = len(body)
    shdrs = [struct.pack("<10I", *([0] * 10)),
             struct.pack("<10I", shat[".text"], 1, 6, 0, text_off, 256, 0, 0, 4, 0),
             struct.pack("<10I", shat[".bss"], 8, 3, 0x20000000, text_off, 4096, 0, 0, 8, 0),
             struct.pack("<10I", shat[".shstrtab"], 3, 0, 0, shstr_off, len(shstr), 0, 0, 1, 0)]
    if symtab:
        shdrs += [struct.pack("<10I", shat[".symtab"], 2, 0, 0, sym_off, len(syms), 5, 1, 4, 16),
                  struct.pack("<10I", shat[".strtab"], 3, 0, 0, str_off, len(sym_str), 0, 0, 1, 0)]
    for h in shdrs:
        body += h
    ident = b"\x7fELF" + bytes([1, 1, 1]) + b"\0" * 9
    body[0:52] = ident + struct.pack("<HHIIIIIHHHHHH", 2, 40, 1, 0, 0, shoff, 0x05000000, 52,
                                     32, 0, 40, len(shdrs), 3)
    return bytes(body if cut is None else body[:cut])


def size_report(name="m", arena=2560):
    """The parts of a <name>.report.json that `tinymlc size` reads."""
    import json
    return (json.dumps({"name": name, "macs": 0, "ops": [],
                        "flash": {"weights_bytes": 64, "code_estimate_bytes": 100},
                        "memory": {"arena_bytes": arena,
                                   "regions": [{"name": "sram", "used_bytes": arena}]}})
            + "\n").encode()


LINKED = [("m_run", "text", 32, "func"), ("m_arena", "bss", 2560, "object")]

MAP_HEADER = (b"Memory Configuration\n\nLinker script and memory map\n\n"
              b".text           0x00000000      0x100\n")
MAP_WITHOUT_MODEL = MAP_HEADER + b" .text          0x00000000       0x20 main.o\n"
MAP_SMALL_ARENA = (MAP_HEADER + b" .text.m_run\n                0x00000000       0x20 libm.a(m.cpp.o)\n"
                   b"\n.bss            0x20000000     0x1000\n"
                   b" .bss.m_arena   0x20000000      0x400 libm.a(m.cpp.o)\n")


# --------------------------------------------------------------------------
# The cases
# --------------------------------------------------------------------------

def _error(message, file=MODEL):
    return "error: %s: %s" % (file, message) if file else "error: " + message


USAGE_HINT = "run 'tinymlc --help' for usage"

def nonzero_runtime_model():
    """NonZero of a graph input: its output size depends on the data."""
    _, helper, _, _ = _onnx()
    return make_model([helper.make_node("NonZero", ["x"], ["y"], name="nz")],
                      [tensor("x", [4])], [tensor("y", [1, 4], _onnx()[3].INT64)])


def split_uneven_model():
    """Split of 5 elements into 2 equal parts, sizes not given."""
    _, helper, _, _ = _onnx()
    return make_model([helper.make_node("Split", ["x"], ["a", "b"], name="sp", axis=0)],
                      [tensor("x", [5])], [tensor("a", [3]), tensor("b", [2])])


CASES = [
    # --- files that are not ONNX models -----------------------------------
    Case("truncated-model", ["compile", MODEL, "-o", "out"], 1,
         _error(NOT_PARSED), build=truncated),
    Case("random-bytes", ["compile", MODEL, "-o", "out"], 1,
         _error(NOT_PARSED), build=random_bytes),
    Case("empty-file", ["compile", MODEL, "-o", "out"], 1,
         _error("the file is empty; expected an ONNX model"), build=write(MODEL, b"")),
    Case("missing-file", ["compile", MODEL, "-o", "out"], 1,
         _error("cannot read the model: No such file or directory")),
    Case("no-graph", ["compile", MODEL, "-o", "out"], 1,
         _error("not a valid ONNX model: it has no graph (is the file truncated, or not an "
                ".onnx file?)"),
         build=write(MODEL, b"\x08\x08")),

    # --- models tinymlc cannot compile ------------------------------------
    Case("unknown-onnx-op", ["compile", MODEL, "-o", "out"], 1,
         _error("node 'frob' (Frobnicate): unknown op Frobnicate: not an ONNX operator at "
                "opset 17"),
         build=save(custom_op_model)),
    Case("unsupported-op", ["compile", MODEL, "-o", "out"], 1,
         _error("node 'rnd' (RandomUniformLike): unsupported op RandomUniformLike (opset 17)"),
         build=save(random_model)),
    Case("other-domain", ["compile", MODEL, "-o", "out"], 1,
         _error("node 'fconv' (FusedConv): operators of domain 'com.microsoft' are not "
                "supported; tinymlc compiles ai.onnx operators"),
         build=save(microsoft_model)),
    Case("no-default-domain", ["compile", MODEL, "-o", "out"], 1,
         _error("the model imports no version of the default ONNX domain (ai.onnx); tinymlc "
                "compiles ai.onnx operators only"),
         build=save(no_default_domain_model)),
    Case("opset-too-new", ["compile", MODEL, "-o", "out"], 1,
         _error("opset 18 is newer than tinymlc supports (17); export the model with "
                "opset <= 17"),
         build=save(opset18_model)),
    Case("dynamic-dim-named", ["compile", MODEL, "-o", "out"], 1,
         _error("input 'x': dimension 0 is dynamic ('N'); pin it with --dim N=VALUE or "
                "--shape x=DIMS"),
         build=save(lambda: unary_model(["N", 3]))),
    Case("dynamic-dim-unnamed", ["compile", MODEL, "-o", "out"], 1,
         _error("input 'x': dimension 1 is dynamic (unnamed); pin the shape with --shape "
                "x=DIMS"),
         build=save(lambda: unary_model([1, None]))),
    Case("float16-input", ["compile", MODEL, "-o", "out"], 1,
         _error("input 'x': element type FLOAT16 is not supported"),
         build=save(lambda: unary_model([2, 3], _onnx()[3].FLOAT16))),
    Case("sequence-input", ["compile", MODEL, "-o", "out"], 1,
         _error("input 's': is not a tensor; sequence, map and optional inputs are not "
                "supported"),
         build=save(sequence_input_model)),
    Case("nonzero-runtime-input", ["compile", MODEL, "-o", "out"], 1,
         _error("node 'nz' (NonZero): input 0 (X, 'x') must be known at compile time: the "
                "output shape of NonZero depends on its values; bind the graph input it "
                "depends on with --const NAME=FILE"),
         build=save(nonzero_runtime_model)),
    Case("split-uneven", ["compile", MODEL, "-o", "out"], 1,
         _error("node 'sp' (Split): axis 0 of size 5 cannot be split into 2 equal parts; give "
                "the sizes with the split input"),
         build=save(split_uneven_model)),
    Case("batchnorm-training-mode", ["compile", MODEL, "-o", "out"], 1,
         _error("node 'bn' (BatchNormalization): training mode is not supported (attribute "
                "'training_mode' or the running mean/var outputs); export the model for "
                "inference"),
         build=save(batchnorm_training_model)),
    Case("gemm-3d-input", ["compile", MODEL, "-o", "out"], 1,
         _error("node 'fc' (Gemm): A [1,2,3] and B [3,4] must both be 2-d"),
         build=save(gemm_3d_model)),
    Case("conv-auto-pad", ["compile", MODEL, "-o", "out"], 1,
         _error("node 'conv' (Conv): auto_pad 'FOO' is not one of NOTSET, VALID, SAME_UPPER, "
                "SAME_LOWER"),
         build=save(conv_auto_pad_model)),
    Case("quantize-axis-scales", ["compile", MODEL, "-o", "out"], 1,
         _error("node 'q' (QuantizeLinear): scale 's' has shape [4]; it must hold one value or "
                "3 (one per channel)"),
         build=save(quantize_axis_model)),
    Case("qlinearconv-bias-type", ["compile", MODEL, "-o", "out"], 1,
         _error("node 'qconv' (QLinearConv): bias 'b' must be int32 of shape [2], not i8[2]"),
         build=save(qlinear_conv_bias_model)),
    Case("io-int8-float-model", ["compile", MODEL, "-o", "out", "--io", "int8"], 1,
         _error("--io int8: no input or output of the model is quantised by a "
                "QuantizeLinear/DequantizeLinear with a constant per-tensor scale and zero "
                "point; compile it without --io int8"),
         build=save(conv_relu_model)),
    Case("io-invalid", ["compile", MODEL, "-o", "out", "--io", "int4"], 2,
         _error("invalid --io 'int4': expected float or int8", file=None),
         build=save(conv_relu_model)),
    Case("conv-group", ["compile", MODEL, "-o", "out"], 1,
         _error("node 'conv3' (Conv): group 3 does not divide 16 input channels"),
         build=save(conv_group_model)),
    Case("cast-to-float16", ["compile", MODEL, "-o", "out"], 1,
         _error("node 'to_half' (Cast): cast to FLOAT16 is not supported; tinymlc handles "
                "float, double, bool and 8/16/32/64-bit integers"),
         build=save(cast_float16_model)),
    Case("gather-index-out-of-range", ["compile", MODEL, "-o", "out"], 1,
         _error("node 'take' (Gather): index 7 is out of range for axis 0 of size 3"),
         build=save(gather_out_of_range_model)),
    Case("reshape-runtime-shape", ["compile", MODEL, "-o", "out"], 1,
         _error("node 'rs' (Reshape): input 1 (shape, 'shape') must be known at compile time, "
                "but it is computed from runtime data; bind the graph input it depends on with "
                "--const NAME=FILE"),
         build=save(reshape_runtime_shape_model)),
    Case("external-data", ["compile", MODEL, "-o", "out"], 1,
         _error("initializer 'w': tensor data stored in an external file is not supported "
                "yet; save the model with its weights inside (onnx.save(model, "
                "save_as_external_data=False))"),
         build=both(save(external_data_model), write("weights.bin", b"\0" * 16))),
    Case("declared-output-shape", ["compile", MODEL, "-o", "out"], 1,
         _error("output 'y': the model declares f32[3,2] but the graph computes f32[2,3]"),
         build=save(lambda: unary_model([2, 3], out_shape=[3, 2]))),
    Case("onnx-shape-inference", ["compile", MODEL, "-o", "out"], 1,
         _error("ONNX shape inference failed: (op_type:Relu, node name: r): Inferred shape "
                "and existing shape differ in dimension 0: (2) vs (3)"),
         build=save(lambda: unary_model([2, 3], out_shape=[3, 2], opset=13))),
    Case("tensor-too-large", ["compile", MODEL, "-o", "out"], 1,
         _error("input 'x': f32[100000,100000] is larger than the 2 GiB tinymlc supports per "
                "tensor"),
         build=save(lambda: unary_model([100000, 100000]))),

    # --- options that do not fit the model (exit 2) or name bad files (1) --
    Case("dim-unknown-name", ["compile", MODEL, "--dim", "M=3", "-o", "out"], 2,
         _error("--dim M=3: no input or output has a dimension named 'M' (named dimensions: "
                "'N')"),
         build=save(lambda: unary_model(["N", 3]))),
    Case("shape-unknown-input", ["compile", MODEL, "--shape", "z=1x1x4x4", "-o", "out"], 2,
         _error("--shape z=1x1x4x4: the model has no input named 'z' (inputs: 'x')"),
         build=save(conv_relu_model)),
    Case("const-unknown-input", ["compile", MODEL, "--const", "z=x.npy", "-o", "out"], 2,
         _error("--const z=x.npy: the model has no input named 'z' (inputs: 'x')"),
         build=both(save(conv_relu_model), npy("x.npy", x_npy()))),
    Case("const-wrong-size", ["compile", MODEL, "--const", "x=small.bin", "-o", "out"], 1,
         _error("--const x=small.bin: the file holds 2 elements, shape [1,1,4,4] needs 16"),
         build=both(save(conv_relu_model), write("small.bin", b"\0" * 8))),
    Case("const-partial-element", ["compile", MODEL, "--const", "x=odd.bin", "-o", "out"], 1,
         _error("has 10 bytes, not a whole number of f32 elements", file="--const x=odd.bin"),
         build=both(save(conv_relu_model), write("odd.bin", b"\0" * 10))),
    Case("const-wrong-shape", ["compile", MODEL, "--const", "x=five.npy", "-o", "out"], 1,
         _error("--const x=five.npy: shape [5] does not match the input's declared shape "
                "[1,1,4,4]"),
         build=both(save(conv_relu_model), npy("five.npy", five_floats))),
    Case("const-wrong-type", ["compile", MODEL, "--const", "x=ints.npy", "-o", "out"], 1,
         _error("holds i64 data, expected f32", file="--const x=ints.npy"),
         build=both(save(conv_relu_model), npy("ints.npy", x_npy("int64")))),
    Case("const-missing-file", ["compile", MODEL, "--const", "x=missing.npy", "-o", "out"], 1,
         _error("cannot read: No such file or directory", file="--const x=missing.npy"),
         build=save(conv_relu_model)),
    Case("run-missing-input", ["run", MODEL, "--output-dir", "out"], 2,
         _error("input 'x' (f32[1,1,4,4]) needs a file: --input x=FILE", file=None),
         build=save(conv_relu_model)),
    Case("run-unknown-input", ["run", MODEL, "--input", "z=x.npy", "--output-dir", "out"], 2,
         _error("--input z=x.npy: the model has no input named 'z' (inputs: 'x')", file=None),
         build=both(save(conv_relu_model), npy("x.npy", x_npy()))),
    Case("run-unnamed-input", ["run", MODEL, "--input", "a.npy", "--output-dir", "out"], 2,
         _error("--input a.npy: the model has 2 inputs; name the input with --input NAME=FILE",
                file=None),
         build=save(two_inputs_model)),
    Case("run-input-wrong-size", ["run", MODEL, "--input", "x=five.npy", "--output-dir", "out"],
         1, _error("5 elements is not a whole number of f32[1,1,4,4] samples",
                   file="--input x=five.npy"),
         build=both(save(conv_relu_model), npy("five.npy", five_floats))),
    Case("run-input-wrong-type", ["run", MODEL, "--input", "x=ints.npy", "--output-dir", "out"],
         1, _error("holds i64 data, expected f32", file="--input x=ints.npy"),
         build=both(save(conv_relu_model), npy("ints.npy", x_npy("int64")))),
    Case("unknown-target", ["compile", MODEL, "--target", "cortex-m99", "-o", "out"], 2,
         _error("unknown target 'cortex-m99' (targets: cortex-m0plus, cortex-m3, cortex-m33, "
                "cortex-m4, cortex-m55, cortex-m7, esp32c3, host, mps2-an386, mps3-an547, "
                "nrf52840, riscv32-virt, riscv32imac, rp2040, stm32f446; or give a description "
                "file, NAME.json; 'tinymlc targets' lists them)", file=None),
         build=save(conv_relu_model)),
    Case("target-file-missing", ["compile", MODEL, "--target", "board.json", "-o", "out"], 2,
         _error("cannot read the target description 'board.json': No such file or directory",
                file=None),
         build=save(conv_relu_model)),
    Case("target-file-bad-json", ["compile", MODEL, "--target", "t.json", "-o", "out"], 1,
         _error("line 2, column 1: not valid JSON: syntax error while parsing object key - unexpected "
                "end of input; expected string literal", file="t.json"),
         build=both(save(conv_relu_model), target_file(text='{"name": "x",\n'))),
    Case("target-file-bad-size", ["compile", MODEL, "--target", "t.json", "-o", "out"], 1,
         _error("/memory/regions/0/size: expected a byte count (an integer, or a string like "
                "\"128K\" or \"1M\") or null for no limit, got \"64Q\"", file="t.json"),
         build=both(save(conv_relu_model), target_file(ram_size="64Q"))),
    Case("target-file-unknown-key", ["compile", MODEL, "--target", "t.json", "-o", "out"], 1,
         _error("/ram: unknown key \"ram\" (expected: name, description, arch, core, cflags, "
                "features, memory, kernels, board)", file="t.json"),
         build=both(save(conv_relu_model), target_file(**{"ram": "1K"}))),
    Case("target-ram-too-small", ["compile", MODEL, "--target", "t.json", "-o", "out"], 1,
         _error("the model needs 192 B of RAM at its peak, more than the 100 B of region 'sram'; at "
                "step 0, node 'conv' (Conv) these tensors are live: y f32[1,2,4,4] (128 B), "
                "x f32[1,1,4,4] (64 B)", file=MODEL),
         build=both(save(conv_relu_model), target_file(ram_size=100))),
    Case("target-flash-too-small", ["compile", MODEL, "--target", "t.json", "-o", "out"], 1,
         _error("the weights need 72 bytes of flash, but target 'mine' has 64 bytes; "
                "choose a target with more flash or a smaller model", file=MODEL),
         build=both(save(conv_relu_model), target_file(flash=64))),
    Case("board-ram-too-small", ["compile", MODEL, "--target", "stm32f446", "-o", "out"], 1,
         _error("the model needs 160,000 B of RAM at its peak, more than the 131,072 B of region "
                "'sram'; at step 0, node 'r' (Relu) these tensors are live: x f32[1,40000] "
                "(160,000 B)", file=MODEL),
         build=save(lambda: unary_model([1, 40000]))),
    Case("board-weights-exceed-flash", ["compile", "big.onnx", "--target", "stm32f446", "-o",
                                        "out"], 1,
         _error("the weights need 600000 bytes of flash, but target 'stm32f446' has 524288 "
                "bytes (512K); choose a target with more flash or a smaller model",
                file="big.onnx"),
         build=save(lambda: big_gemm_model(), "big.onnx")),
    Case("name-not-identifier", ["compile", MODEL, "--name", "9lives", "-o", "out"], 2,
         _error("--name '9lives' is not a C identifier (letters, digits and _, not starting "
                "with a digit)", file=None),
         build=save(conv_relu_model)),

    # --- post-training quantisation ---------------------------------------
    Case("quantize-without-calibration", ["compile", MODEL, "-o", "out", "--quantize", "int8"], 2,
         _error("--quantize int8 needs --calibration DIR: a directory of representative "
                "inputs (<input>.bin, .npy or .pb)", file=None),
         build=save(conv_relu_model)),
    Case("quantize-int4", ["compile", MODEL, "-o", "out", "--quantize", "int4",
                           "--calibration", "cal"], 2,
         _error("invalid --quantize 'int4': this build quantises to int8", file=None),
         build=save(conv_relu_model)),
    Case("calibration-without-quantize", ["compile", MODEL, "-o", "out", "--calibration", "cal"],
         2, _error("--calibration, --calibration-method, --percentile and "
                   "--no-bias-correction apply only with --quantize int8", file=None),
         build=save(conv_relu_model)),
    Case("calibration-unknown-method", ["compile", MODEL, "-o", "out", "--quantize", "int8",
                                        "--calibration", "cal", "--calibration-method", "kl"], 2,
         _error("invalid --calibration-method 'kl': expected minmax, percentile, entropy or mse",
                file=None),
         build=save(conv_relu_model)),
    Case("percentile-without-method", ["compile", MODEL, "-o", "out", "--quantize", "int8",
                                       "--calibration", "cal", "--percentile", "99.9"], 2,
         _error("--percentile applies only with --calibration-method percentile", file=None),
         build=save(conv_relu_model)),
    Case("percentile-out-of-range", ["compile", MODEL, "-o", "out", "--quantize", "int8",
                                     "--calibration", "cal", "--calibration-method",
                                     "percentile", "--percentile", "20"], 2,
         _error("invalid --percentile '20': expected a number above 50 and at most 100, e.g. "
                "99.99", file=None),
         build=save(conv_relu_model)),
    Case("calibration-not-a-directory", ["compile", MODEL, "-o", "out", "--quantize", "int8",
                                         "--calibration", "cal"], 2,
         _error("--calibration cal: not a directory; give a directory of .npy, .pb or .bin "
                "files holding representative inputs", file=None),
         build=save(conv_relu_model)),
    Case("calibration-empty-directory", ["compile", MODEL, "-o", "out", "--quantize", "int8",
                                         "--calibration", "cal"], 2,
         _error("--calibration cal: no .npy, .pb or .bin files; put representative inputs "
                "there, named after the input they feed (<input>.bin or <input>_<k>.bin)",
                file=None),
         build=both(save(conv_relu_model), calib({"notes.txt": b"hello"}))),
    Case("calibration-missing-input", ["compile", MODEL, "-o", "out", "--quantize", "int8",
                                       "--calibration", "cal"], 2,
         _error("--calibration cal: no file for input 'b' (f32[2]); add b.bin or b_<k>.bin",
                file=None),
         build=both(save(two_inputs_model), calib({"a.bin": b"\0" * 8}))),
    Case("calibration-unmatched-file", ["compile", MODEL, "-o", "out", "--quantize", "int8",
                                        "--calibration", "cal"], 2,
         _error("--calibration cal: file 'c.bin' is named after no input (inputs: 'a', 'b'); "
                "name it <input>.bin or <input>_<k>.bin", file=None),
         build=both(save(two_inputs_model),
                    calib({"a.bin": b"\0" * 8, "b.bin": b"\0" * 8, "c.bin": b"\0" * 8}))),
    Case("calibration-sample-counts-differ", ["compile", MODEL, "-o", "out", "--quantize", "int8",
                                              "--calibration", "cal"], 2,
         _error("--calibration cal: input 'b' has 1 sample, input 'a' has 2; every input needs "
                "the same number", file=None),
         build=both(save(two_inputs_model),
                    calib({"a_1.bin": b"\0" * 8, "a_2.bin": b"\0" * 8, "b.bin": b"\0" * 8}))),
    Case("calibration-partial-sample", ["compile", MODEL, "-o", "out", "--quantize", "int8",
                                        "--calibration", "cal"], 1,
         _error("5 elements is not a whole number of f32[1,1,4,4] samples (16 elements each) "
                "for input 'x'", file="cal/x.bin"),
         build=both(save(conv_relu_model), calib({"x.bin": b"\0" * 20}))),
    Case("calibration-wrong-type", ["compile", MODEL, "-o", "out", "--quantize", "int8",
                                    "--calibration", "cal"], 1,
         _error("holds i64 data, expected f32", file="cal/x.npy"),
         build=both(save(conv_relu_model), calib({"x.npy": x_npy("int64")}))),
    Case("run-compare-missing-input", ["run", MODEL, "--compare", "--output-dir", "out"], 2,
         _error("input 'x' (f32[1,1,4,4]) needs a file: --input x=FILE", file=None),
         build=save(conv_relu_model)),

    # --- bad command lines (exit 2) ----------------------------------------
    Case("dim-bad-syntax", ["compile", MODEL, "--dim", "N", "-o", "out"], 2,
         _error("invalid --dim 'N': expected NAME=VALUE with VALUE >= 0", file=None),
         build=save(lambda: unary_model(["N", 3]))),
    Case("dim-negative", ["compile", MODEL, "--dim", "N=-1", "-o", "out"], 2,
         _error("invalid --dim 'N=-1': expected NAME=VALUE with VALUE >= 0", file=None),
         build=save(lambda: unary_model(["N", 3]))),
    Case("shape-bad-syntax", ["compile", MODEL, "--shape", "x=1xAx4", "-o", "out"], 2,
         _error("invalid --shape 'x=1xAx4': dimensions must be integers >= 0", file=None),
         build=save(conv_relu_model)),
    Case("shape-missing-dims", ["compile", MODEL, "--shape", "x", "-o", "out"], 2,
         _error("invalid --shape 'x': expected INPUT=DIMS, e.g. x=1x3x32x32", file=None),
         build=save(conv_relu_model)),
    Case("const-bad-syntax", ["compile", MODEL, "--const", "x", "-o", "out"], 2,
         _error("invalid --const 'x': expected INPUT=FILE", file=None),
         build=save(conv_relu_model)),
    Case("print-after-unknown-pass", ["compile", MODEL, "--print-after", "fold", "-o", "out"], 2,
         _error("--print-after: no pass named 'fold' (passes: canonicalize, dce, "
                "fold-batchnorm, fold-bias-add, fold-constants, fuse-activations, import, "
                "materialize-outputs, quantize, quantize-qdq)", file=None),
         build=save(conv_relu_model)),
    Case("unknown-option", ["compile", MODEL, "--frobnicate", "-o", "out"], 2,
         [_error("the following argument was not expected: --frobnicate", file=None),
          USAGE_HINT],
         build=save(conv_relu_model)),
    Case("missing-output-option", ["compile", MODEL], 2,
         [_error("compile needs -o DIR: the directory to write the generated files to",
                 file=None), USAGE_HINT],
         build=save(conv_relu_model)),
    Case("check-without-output", ["compile", MODEL, "--check"], 2,
         [_error("compile needs -o DIR: the generated directory to check", file=None),
          USAGE_HINT],
         build=save(conv_relu_model)),
    Case("check-not-a-directory", ["compile", MODEL, "-o", "gen", "--check"], 1,
         _error("--check: 'gen' is not a directory; generate it first with the same command "
                "without --check", file=None),
         build=save(conv_relu_model)),
    Case("check-out-of-date", ["compile", MODEL, "-o", "gen", "--check"], 1,
         stderr_re=r"error: gen is not what this model and these flags generate: differ: "
                   r"model\.h; missing: model\.cpp, .*model_weights\.cpp.*; extra: "
                   r"model_old\.cpp; regenerate with the same command without --check",
         build=both(save(conv_relu_model), mkdir("gen"), write("gen/model.h", b"stale\n"),
                    write("gen/model_old.cpp", b""), write("gen/notes.txt", b"kept\n"))),
    Case("diff-fail-on-bad-limit", ["diff", "a.json", "b.json", "--fail-on", "ram>lots"], 2,
         _error("invalid --fail-on budget 'ram>lots': the limit is not a number (expected "
                "METRIC>LIMIT with METRIC one of ram, flash, weights, code, macs and LIMIT a "
                "change such as +5%, -2% or +1024)", file=None)),
    Case("diff-fail-on-unknown-metric", ["diff", "a.json", "b.json", "--fail-on",
                                         "ram>+5%,speed>+1%"], 2,
         _error("invalid --fail-on budget 'speed>+1%': unknown metric 'speed' (expected "
                "METRIC>LIMIT with METRIC one of ram, flash, weights, code, macs and LIMIT a "
                "change such as +5%, -2% or +1024)", file=None)),
    Case("diff-fail-on-no-operator", ["diff", "a.json", "b.json", "--fail-on", "ram+5%"], 2,
         _error("invalid --fail-on budget 'ram+5%': no '>' (expected METRIC>LIMIT with METRIC "
                "one of ram, flash, weights, code, macs and LIMIT a change such as +5%, -2% or "
                "+1024)", file=None)),
    Case("diff-bad-format", ["diff", MODEL, MODEL, "--format", "html"], 2,
         _error("invalid --format 'html': expected text or markdown", file=None),
         build=save(conv_relu_model)),
    Case("diff-missing-side", ["diff", "old.onnx", MODEL], 2,
         _error("diff: 'old.onnx' does not exist (expected a model .onnx, a generated "
                "directory or a .report.json)", file=None),
         build=save(conv_relu_model)),
    Case("diff-not-a-report", ["diff", "old.json", MODEL], 1,
         _error("not a tinymlc report (expected the <name>.report.json that 'tinymlc "
                "compile' writes)", file="old.json"),
         build=both(save(conv_relu_model), write("old.json", b'{"name": "x"}\n'))),
    Case("diff-directory-without-report", ["diff", "gen", MODEL], 1,
         _error("no <name>.report.json in this directory (is it a directory that 'tinymlc "
                "compile -o' wrote?)", file="gen"),
         build=both(save(conv_relu_model), mkdir("gen"))),
    Case("diff-input-needs-models", ["diff", "gen", MODEL, "--input", "x.npy"], 2,
         _error("diff --input needs two models: 'gen' is a report or a generated directory, "
                "which cannot be run", file=None),
         build=both(save(conv_relu_model), mkdir("gen"),
                    write("gen/m.report.json",
                          b'{"macs": 0, "ops": [], "flash": {}, "memory": {}}\n'))),
    Case("missing-model", ["compile", "-o", "out"], 2,
         [_error("model is required", file=None), USAGE_HINT]),
    Case("no-subcommand", [], 2,
         [_error("a subcommand is required", file=None), USAGE_HINT]),
    Case("unknown-subcommand", ["frobnicate", MODEL], 2,
         [_error("unknown subcommand 'frobnicate' (subcommands: compile, run, inspect, diff, size, targets)",
                 file=None), USAGE_HINT],
         build=save(conv_relu_model)),

    # --- inspect lists every problem ---------------------------------------
    Case("inspect-two-unsupported", ["inspect", MODEL], 1, [],
         stdout=["unsupported (2):",
                 "  model.onnx: node 'rnd' (RandomUniformLike): unsupported op RandomUniformLike "
                 "(opset 17)",
                 "  model.onnx: node 'rndn' (RandomNormalLike): unsupported op RandomNormalLike "
                 "(opset 17)"],
         build=save(two_unsupported_model)),
    Case("inspect-truncated-model", ["inspect", MODEL], 1, _error(NOT_PARSED),
         build=truncated),

    # --- hostile shapes and names -----------------------------------------
    Case("conv-rank2-input", ["compile", MODEL, "-o", "out"], 1,
         _error("node 'conv' (Conv): input 'x' has shape [2,3]; Conv supports 1, 2 or 3 "
                "spatial dimensions"),
         build=save(conv_rank2_input_model)),
    # Before converting an older opset tinymlc runs ONNX shape inference, whose
    # Conv rule crashes on such inputs (onnx/onnx#6180): checked first.
    Case("conv-rank2-input-opset13", ["compile", MODEL, "-o", "out"], 1,
         _error("node 'conv' (Conv): input 'x' has rank 2; Conv needs [N, C, spatial...]"),
         build=save(lambda: conv_rank2_input_model(opset=13))),
    Case("shape-rank2-conv-input", ["compile", MODEL, "--shape", "x=2x3", "-o", "out"], 1,
         stderr_re=r"error: model\.onnx: .*",
         build=save(conv_relu_model)),
    Case("dim-overflow", ["compile", MODEL, "--dim", "N=3074457345618258603", "-o", "out"], 1,
         stderr_re=r"error: model\.onnx: .*",
         build=save(lambda: unary_model(["N", 3]))),
    Case("shape-element-count-wraps", ["compile", MODEL, "-o", "out"], 1,
         stderr_re=r"error: model\.onnx: .*",
         build=save(lambda: unary_model([4611686018427387904, 4]))),
    # Not valid UTF-8: compiles; the report prints U+FFFD in its place.
    Case("invalid-utf8-name", ["compile", MODEL, "-o", "out", "-q"], 0, [],
         build=renamed(conv_named_placeholder, b"convXX", b"conv\xff\xfe")),
    Case("newline-in-name", ["compile", MODEL, "-o", "out"], 1,
         _error("node 'rn\\nd' (RandomUniformLike): unsupported op RandomUniformLike (opset 17)"),
         build=save(random_newline_name)),
    # --- tinymlc size: the firmware cost report -----------------------------
    Case("size-ok", ["size", "fw.elf", "--model", "m.report.json"], 0, [],
         stdout=["    m arena                                 2,560  2,560"],
         build=both(write("fw.elf", lambda: elf32(LINKED)), write("m.report.json", size_report()))),
    Case("size-missing-firmware", ["size", "fw.elf", "--model", "m.report.json"], 1,
         _error("cannot read: No such file or directory", file="fw.elf"),
         build=write("m.report.json", size_report())),
    Case("size-not-elf", ["size", "m.report.json", "--model", "m.report.json"], 1,
         _error("not an ELF file (expected the linked firmware, e.g. firmware.elf)",
                file="m.report.json"),
         build=write("m.report.json", size_report())),
    Case("size-truncated-elf", ["size", "fw.elf"], 1,
         _error("truncated ELF: the section headers run past the end of the file", file="fw.elf"),
         build=write("fw.elf", lambda: elf32(LINKED, cut=400))),
    Case("size-stripped-elf", ["size", "fw.elf", "--model", "m.report.json"], 1,
         _error("has no symbol table (stripped?); measure the ELF the linker wrote",
                file="fw.elf"),
         build=both(write("fw.elf", lambda: elf32(symtab=False)),
                    write("m.report.json", size_report()))),
    Case("size-model-not-linked", ["size", "fw.elf", "--model", "m.report.json"], 1,
         _error("no function 'm_run': the model 'm' of m.report.json is not linked into this "
                "firmware", file="fw.elf"),
         build=both(write("fw.elf", lambda: elf32([("main", "text", 8, "func")])),
                    write("m.report.json", size_report()))),
    Case("size-report-mismatch", ["size", "fw.elf", "--model", "m.report.json"], 1,
         _error("does not match the firmware fw.elf: m_arena is 2560 bytes there, the report "
                "plans 4096 (pass the report of the compile that was linked)",
                file="m.report.json"),
         build=both(write("fw.elf", lambda: elf32(LINKED)),
                    write("m.report.json", lambda: size_report(arena=4096)))),
    Case("size-not-a-report", ["size", "fw.elf", "--model", "m.json"], 1,
         _error("not a tinymlc report (expected the <name>.report.json that 'tinymlc compile' "
                "writes)", file="m.json"),
         build=both(write("fw.elf", lambda: elf32(LINKED)), write("m.json", b"{}\n"))),
    Case("size-model-twice", ["size", "fw.elf", "--model", "m.report.json", "--model",
                              "m.report.json"], 2,
         _error("size: two --model reports for the model 'm' (m.report.json, m.report.json)",
                file=None),
         build=both(write("fw.elf", lambda: elf32(LINKED)), write("m.report.json", size_report()))),
    Case("size-not-a-map", ["size", "fw.elf", "--model", "m.report.json", "--map",
                            "m.report.json"], 1,
         _error("not a GNU ld map (no \"Linker script and memory map\"; link with "
                "-Wl,-Map=FILE)", file="m.report.json"),
         build=both(write("fw.elf", lambda: elf32(LINKED)), write("m.report.json", size_report()))),
    Case("size-map-of-another-link", ["size", "fw.elf", "--model", "m.report.json", "--map",
                                      "fw.map"], 1,
         _error("no input sections from m.cpp, although the firmware links the model 'm': is "
                "this the map of fw.elf?", file="fw.map"),
         build=both(write("fw.elf", lambda: elf32(LINKED)), write("m.report.json", size_report()),
                    write("fw.map", MAP_WITHOUT_MODEL))),
    Case("size-map-arena-differs", ["size", "fw.elf", "--model", "m.report.json", "--map",
                                    "fw.map"], 1,
         _error("the model 'm' has 1024 bytes of RAM here but its arena is 2560 bytes in fw.elf: "
                "is this the map of that link?", file="fw.map"),
         build=both(write("fw.elf", lambda: elf32(LINKED)), write("m.report.json", size_report()),
                    write("fw.map", MAP_SMALL_ARENA))),
    Case("size-stack-usage-not-a-directory", ["size", "fw.elf", "--model", "m.report.json",
                                              "--stack-usage", "m.report.json"], 2,
         _error("size: --stack-usage 'm.report.json' is not a directory (expected where the "
                "objects and their -fcallgraph-info=su .ci or -fstack-usage .su files are)",
                file=None),
         build=both(write("fw.elf", lambda: elf32(LINKED)), write("m.report.json", size_report()))),
]

BY_NAME = {c.name: c for c in CASES}
assert len(BY_NAME) == len(CASES), "case names must be unique"
