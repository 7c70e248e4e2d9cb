# In tests/diagnostics/cases.py: a model builder, then a Case with the
# command line, the exit code and the error line stderr must hold. One case
# per new user-facing error.

def foo_bad_axis_model():
    """Foo along an axis the input does not have."""
    _, helper, _, _ = _onnx()
    return make_model([helper.make_node("Foo", ["x", "axis"], ["y"], name="foo")],
                      [tensor("x", [2, 3])], [tensor("y", [2, 3])],
                      [array("axis", [2])])

# ... and in CASES:
    Case("foo-axis-out-of-range", ["compile", MODEL, "-o", "out"], 1,
         _error("node 'foo' (Foo): axis 2 is out of range for rank 2"),
         build=save(foo_bad_axis_model)),
