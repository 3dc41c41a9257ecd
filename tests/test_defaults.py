"""One fact, one place: every config default is written in schemas/config.schema.yaml only,
and every enum the code dispatches on offers the schema's choices exactly.

A library parameter named like a config key may keep a default for callers outside the
workflow, but the default must be read from the schema (streetseg.common.defaults), never a
literal restated beside it: the restated ``predict_samples(batch_size=8)`` against the
schema's 16 was how a copy drifted.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil

import pytest
import yaml

import streetseg
from tests.helpers import REPO

SCHEMA = yaml.safe_load((REPO / "schemas" / "config.schema.yaml").read_text())

# Parameters named like a config key that mean something else, and why.
NOT_CONFIG_KEYS = {
    "load_dataset(seed)": "the shuffle seed of one dataset; the caller passes train.seed",
    "polygon_mask(unannotated)": "the class id painted where no shape is, not the class name",
    "conv_block(dropout_rate)": "one block's dropout; the U-Net passes its own per level",
    "compile_model(jit_compile)": "the resolved on/off, after train.jit_compile auto is decided",
}


def _schema_defaults(node=SCHEMA, path=()) -> dict[str, list]:
    """Key name -> the defaults of every schema key of that name (e.g. batch_size: 8, 16)."""
    found: dict[str, list] = {}
    for name, child in (node.get("properties") or {}).items():
        if "default" in child:
            found.setdefault(name, []).append(child["default"])
        for key, values in _schema_defaults(child, (*path, name)).items():
            found.setdefault(key, []).extend(values)
    return found


DEFAULTS = _schema_defaults()


def _literal(node) -> bool:
    """A literal other than None: a constant, a negated one, or a tuple or list of them."""
    if isinstance(node, ast.Constant):
        return node.value is not None
    if isinstance(node, ast.UnaryOp):
        return isinstance(node.operand, ast.Constant)
    if isinstance(node, ast.Tuple | ast.List):
        return all(map(_literal, node.elts))
    return False


def _literal_defaults(root=REPO / "streetseg"):
    """(place, parameter) for each literal default, other than None, of a parameter named
    like a schema key, in every function of the Python files under ``root``."""
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            arguments = node.args
            positional = arguments.posonlyargs + arguments.args
            pairs = list(
                zip(positional[len(positional) - len(arguments.defaults) :], arguments.defaults)
            )
            pairs += [
                (arg, value)
                for arg, value in zip(arguments.kwonlyargs, arguments.kw_defaults)
                if value
            ]
            for arg, value in pairs:
                if arg.arg in DEFAULTS and _literal(value):
                    name = f"{node.name}({arg.arg})"
                    if name not in NOT_CONFIG_KEYS:
                        where = f"{path.relative_to(root)}:{node.lineno}"
                        yield f"{where} {name}={ast.unparse(value)}"


def test_no_config_default_is_restated_as_a_literal_in_the_library():
    assert list(_literal_defaults()) == []


def test_the_check_finds_a_restated_default(tmp_path):
    # The check itself: a module restating predict.batch_size is caught; a default read from
    # the schema, or a parameter that only shares a key's name for a reason given, is not.
    (tmp_path / "restated.py").write_text(
        "def predict_samples(model, batch_size=8, tta=TTA, *, seed=0):\n    return model\n"
        "def conv_block(x, dropout_rate=0.0):\n    return x\n"
        "def train(image_size=(192, 256), patience=-1, classes=None):\n    return 0\n"
    )
    assert list(_literal_defaults(tmp_path)) == [
        "restated.py:1 predict_samples(batch_size)=8",
        "restated.py:1 predict_samples(seed)=0",
        "restated.py:5 train(image_size)=(192, 256)",
        "restated.py:5 train(patience)=-1",
    ]


def _parameters():
    for info in pkgutil.walk_packages(streetseg.__path__, "streetseg."):
        module = importlib.import_module(info.name)
        for owner in vars(module).values():
            if getattr(owner, "__module__", None) != module.__name__:
                continue
            functions = [owner] if inspect.isfunction(owner) else []
            if inspect.isclass(owner):
                functions = [f for f in vars(owner).values() if inspect.isfunction(f)]
            for function in functions:
                for parameter in inspect.signature(function).parameters.values():
                    yield function, parameter


def test_every_default_of_a_config_named_parameter_is_the_schemas():
    # A default read from the schema under another key of the same name (train.batch_size
    # for predict's) passes here; the names of the sections' settings objects guard that.
    drifted = [
        f"{function.__module__}.{function.__qualname__}({parameter.name}={parameter.default!r}): "
        f"the schema says {DEFAULTS[parameter.name]}"
        for function, parameter in _parameters()
        if parameter.name in DEFAULTS
        and parameter.default not in (inspect.Parameter.empty, None)
        and f"{function.__name__}({parameter.name})" not in NOT_CONFIG_KEYS
        and parameter.default not in DEFAULTS[parameter.name]
    ]
    assert drifted == []


def _enum(key: str) -> list:
    node = SCHEMA
    for part in key.split("."):
        node = node["properties"][part]
    return node["enum"]


def _code_choices():
    from streetseg.inference.tta import MODES
    from streetseg.labels.formats import registry
    from streetseg.model.blocks import BLOCKS
    from streetseg.model.encoders import ENCODERS

    return {
        "annotations.format": ["auto", *registry.names()],
        "predict.tta": list(MODES),
        "train.model.block": list(BLOCKS),
        "train.model.encoder": ["unet", *ENCODERS],
    }


@pytest.mark.parametrize("key", sorted(_code_choices()))
def test_each_enum_the_code_dispatches_on_is_the_schemas(key):
    assert _enum(key) == _code_choices()[key]
