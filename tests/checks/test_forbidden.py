from autograder.checks.forbidden import scan

FORBID = ("torch", "scipy.signal", "numpy.convolve")


def found(src):
    return [(f.api, f.severity) for f in scan([(4, src)], FORBID)]


def test_imports_and_aliases():
    assert ("torch", "violation") in found("import torch")
    assert ("torch.nn.functional", "violation") in found("import torch.nn.functional as F")
    assert ("scipy.signal", "violation") in found("from scipy import signal")
    assert ("scipy.signal.convolve2d", "violation") in found("from scipy.signal import convolve2d")
    assert ("numpy.convolve", "violation") in found("import numpy as np\ny = np.convolve(a, b)")
    assert found("import numpy as np\nfrom numpy.lib.stride_tricks import as_strided\nnp.dot(a, b)") == []


def test_aliases_carry_across_cells():
    f = scan([(1, "import numpy as xp"), (2, "xp.convolve(a, b)")], FORBID)
    assert [(x.api, x.cell, x.line) for x in f] == [("numpy.convolve", 2, 1)]


def test_constant_dynamic_access_is_resolved_and_computed_access_flagged():
    assert ("numpy.convolve", "violation") in found("import numpy as np\ngetattr(np, 'convolve')")
    assert ("torch", "violation") in found("import importlib\nimportlib.import_module('torch')")
    assert ("torch", "violation") in found("__import__('torch')")
    flagged = found("import numpy as np\nname = 'con' + 'volve'\ngetattr(np, name)(a, b)")
    assert flagged == [("getattr(numpy, <computed name>)", "review")]
    assert ("__import__(<computed name>)", "review") in found("__import__('to' + 'rch')")
    assert ("eval(...)", "review") in found("eval('1')")


def test_describe_names_the_cell():
    (f,) = scan([(7, "import torch")], FORBID)
    assert f.describe() == "code cell 7, line 1: uses forbidden torch (import)"
