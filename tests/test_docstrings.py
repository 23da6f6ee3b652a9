"""Every ORM model and every enum of the books says what it is and the rule it keeps (issue #10):
a model or an enum without a docstring fails here, named."""

import enum
import inspect

import accounting.models  # noqa: F401  (every table registered)
from accounting.base import Base


def _models():
    return [mapper.class_ for mapper in Base.registry.mappers]


def _enums():
    found = set()
    for module_name, module in list(__import__("sys").modules.items()):
        if not module_name.startswith("accounting"):
            continue
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, enum.Enum) and value.__module__.startswith("accounting"):
                found.add(value)
    return found


def _undocumented(classes):
    return sorted(f"{cls.__module__}.{cls.__qualname__}" for cls in classes
                  if not (cls.__dict__.get("__doc__") or "").strip())


def test_every_model_has_a_docstring():
    assert _undocumented(_models()) == []


def test_every_enum_has_a_docstring():
    enums = _enums()
    assert len(enums) > 10, "the enums of the books were not found"
    assert _undocumented(enums) == []
