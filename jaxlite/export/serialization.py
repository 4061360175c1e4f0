"""Serializing an :class:`Exported` to bytes and back.

JAX writes a flatbuffer; jaxlite writes its own format (documented in
docs/differences.md): a magic prefix and one JSON record holding the calling
convention (pytree structures, avals, platforms, checks) and the module's
portable VHLO artifact, with the VJPs nested up to the requested order. It
round-trips within jaxlite; the module inside is the same StableHLO artifact
JAX serializes.

Pytree nodes other than tuples, lists, dicts and None are serialized through
the registry that :func:`register_pytree_node_serialization` fills.

  >>> import collections, jaxlite
  >>> Point = collections.namedtuple("Point", "x y")
  >>> _ = register_namedtuple_serialization(Point, serialized_name="doc.Point")
  >>> treedef = jaxlite.tree_util.tree_structure(Point(1, 2))
  >>> _deserialize_treedef(_serialize_treedef(treedef)) == treedef
  True
"""
from __future__ import annotations

import base64
import collections
import json
import types
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from jaxlite import tree_util
from jaxlite._pytree import _custom_nodes
from jaxlite.export.exported import DisabledSafetyCheck, Exported, shaped_array_from_spec

_MAGIC = b"JAXLITE-EXPORT\x00"
_FORMAT_VERSION = 1

# type -> (serialized_name, serialize_auxdata);
# serialized_name -> (type, deserialize_auxdata, from_children)
serialization_registry: dict[type, tuple[str, Callable]] = {}
deserialization_registry: dict[str, tuple[type, Callable, Callable]] = {}


def _is_namedtuple(nodetype: type) -> bool:
  return (issubclass(nodetype, tuple) and isinstance(getattr(nodetype, "_fields", None),
                                                     Sequence)
          and all(isinstance(f, str) for f in nodetype._fields))


def register_pytree_node_serialization(nodetype: type, *, serialized_name: str,
                                       serialize_auxdata: Callable[[Any], bytes],
                                       deserialize_auxdata: Callable[[bytes], Any],
                                       from_children: Callable | None = None) -> type:
  """Registers how pytree nodes of ``nodetype`` are (de)serialized in an
  Exported's ``in_tree``/``out_tree``.

  Args:
    nodetype: the type (registered with ``tree_util.register_pytree_node``,
      unless ``from_children`` is given).
    serialized_name: the name stored in the serialization.
    serialize_auxdata: aux data -> bytes.
    deserialize_auxdata: bytes -> aux data.
    from_children: ``(aux_data, children) -> node``; by default the type's
      unflatten function.

  Returns:
    ``nodetype`` (so this can decorate a class).

  >>> register_pytree_node_serialization(int, serialized_name="x", serialize_auxdata=str,
  ...                                    deserialize_auxdata=str)
  Traceback (most recent call last):
  ...
  ValueError: If `from_children` is not present, you must call first`jax.tree_util.register_pytree_node` for `<class 'int'>`
  """
  if nodetype in serialization_registry:
    raise ValueError(
        f"Duplicate serialization registration for type `{nodetype}`. Previous "
        f"registration was with serialized_name `{serialization_registry[nodetype][0]}`.")
  if serialized_name in deserialization_registry:
    raise ValueError(
        f"Duplicate serialization registration for serialized_name `{serialized_name}`. "
        f"Previous registration was for type `{deserialization_registry[serialized_name][0]}`.")
  if from_children is None:
    if nodetype not in _custom_nodes:
      raise ValueError("If `from_children` is not present, you must call first"
                       f"`jax.tree_util.register_pytree_node` for `{nodetype}`")
    unflatten = _custom_nodes[nodetype].unflatten
    from_children = lambda aux, children: unflatten(aux, tuple(children))
  serialization_registry[nodetype] = (serialized_name, serialize_auxdata)
  deserialization_registry[serialized_name] = (nodetype, deserialize_auxdata, from_children)
  return nodetype


def register_namedtuple_serialization(nodetype: type, *, serialized_name: str) -> type:
  """Registers a ``collections.namedtuple`` type for serialization (its field
  names are stored, and must match on deserialization).

  >>> import collections
  >>> Pair = collections.namedtuple("Pair", "a b")
  >>> register_namedtuple_serialization(Pair, serialized_name="doc.Pair") is Pair
  True
  """
  if not _is_namedtuple(nodetype):
    raise ValueError("Use `jax.export.register_pytree_node_serialization` for types other "
                     "than `collections.namedtuple`.")

  def from_children(fields, children):
    assert len(fields) == len(children)
    return nodetype(**dict(zip(fields, children)))
  return register_pytree_node_serialization(
      nodetype, serialized_name=serialized_name,
      serialize_auxdata=lambda _: json.dumps(nodetype._fields).encode("utf-8"),
      deserialize_auxdata=lambda data: json.loads(data.decode("utf-8")),
      from_children=from_children)


def _ordered_dict_keys(keys) -> bytes:
  if isinstance(keys, Sequence) and all(isinstance(k, str) for k in keys):
    return json.dumps(list(keys)).encode("utf-8")
  raise ValueError("Serialization of collections.OrderedDict is supported only when the "
                   f"keys are strings. Found keys: {keys}.")


register_pytree_node_serialization(
    collections.OrderedDict, serialized_name="collections.OrderedDict",
    serialize_auxdata=_ordered_dict_keys,
    deserialize_auxdata=lambda data: json.loads(data.decode("utf-8")),
    from_children=lambda keys, children: collections.OrderedDict(zip(keys, children)))


# --- pytree structures ------------------------------------------------------------------


def _serialize_treedef(treedef) -> list:
  """A JSON-able description of ``treedef``: ``["leaf"]``, ``["none"]``,
  ``["tuple", children]``, ``["list", children]``, ``["dict", keys, children]``
  or ``["custom", name, base64 aux data, children]``."""
  node = treedef.node_data()
  children = [_serialize_treedef(c) for c in treedef.children()]
  if node is None:
    return ["leaf"]
  node_type, aux = node
  if node_type is types.NoneType:
    return ["none"]
  if node_type is tuple:
    return ["tuple", children]
  if node_type is list:
    return ["list", children]
  if node_type is dict:
    for key in aux:
      if not isinstance(key, str):
        raise TypeError("Serialization is supported only for dictionaries with string keys."
                        f" Found key {key} of type {type(key)}.")
    return ["dict", list(aux), children]
  if node_type in serialization_registry:
    name, serialize_aux = serialization_registry[node_type]
    data = serialize_aux(tuple(node_type._fields) if _is_namedtuple(node_type) and aux is None
                         else aux)
    if not isinstance(data, (bytes, bytearray)):
      raise ValueError("The custom serialization function for `node_type` must return a "
                       f"`bytes` object. It returned a {type(data)}.")
    return ["custom", name, base64.b64encode(bytes(data)).decode("ascii"), children]
  raise ValueError(
      f"Cannot serialize PyTreeDef containing an unregistered type `{node_type}`. "
      "Use `export.register_pytree_node_serialization` or "
      "`export.register_namedtuple_serialization`.")


def _tree_of_leaves(desc: list) -> Any:
  kind = desc[0]
  if kind == "leaf":
    return 0
  if kind == "none":
    return None
  if kind == "tuple":
    return tuple(_tree_of_leaves(c) for c in desc[1])
  if kind == "list":
    return [_tree_of_leaves(c) for c in desc[1]]
  if kind == "dict":
    return dict(zip(desc[1], (_tree_of_leaves(c) for c in desc[2])))
  name = desc[1]
  if name not in deserialization_registry:
    raise ValueError(
        f"Cannot deserialize a PyTreeDef containing an unregistered type `{name}`. "
        "Use `export.register_pytree_node_serialization` or "
        "`export.register_namedtuple_serialization`.")
  _, deserialize_aux, from_children = deserialization_registry[name]
  aux = deserialize_aux(base64.b64decode(desc[2]))
  return from_children(aux, [_tree_of_leaves(c) for c in desc[3]])


def _deserialize_treedef(desc: list):
  return tree_util.tree_structure(_tree_of_leaves(desc))


# --- Exported ----------------------------------------------------------------------------


def _aval_record(aval) -> list:
  # A symbolic dimension is written as its expression ("2*b + 1").
  shape = [d if isinstance(d, (int, np.integer)) else str(d) for d in aval.shape]
  return [[int(d) if isinstance(d, np.integer) else d for d in shape],
          np.dtype(aval.dtype).name, bool(aval.weak_type)]


def _scope_constraints(avals) -> list:
  """The texts of the user constraints of the avals' symbolic scope."""
  from jaxlite.export import shape_poly
  for aval in avals:
    for d in aval.shape:
      if shape_poly.is_symbolic_dim(d):
        return list(dict.fromkeys(text for text, _ in d.scope._constraints))
  return []


def _aval_from_record(record, scope):
  """The aval of ``_aval_record``'s output, its symbolic dimensions parsed in ``scope``."""
  from jaxlite.export import shape_poly
  shape, dtype, weak_type = record
  shape = [shape_poly.symbolic_shape(d, scope=scope)[0] if isinstance(d, str) else d
           for d in shape]
  return shaped_array_from_spec(shape, dtype, weak_type)


def _record(exp: Exported, vjp_order: int) -> dict:
  if exp.ordered_effects or exp.unordered_effects:
    raise ValueError("Cannot serialize an Exported with effects")
  record = {
      "fun_name": exp.fun_name,
      "in_tree": _serialize_treedef(exp.in_tree),
      "out_tree": _serialize_treedef(exp.out_tree),
      "in_avals": [_aval_record(a) for a in exp.in_avals],
      "out_avals": [_aval_record(a) for a in exp.out_avals],
      "nr_devices": exp.nr_devices,
      "platforms": list(exp.platforms),
      "disabled_checks": [str(c) for c in exp.disabled_safety_checks],
      "calling_convention_version": exp.calling_convention_version,
      "module_kept_var_idx": list(exp.module_kept_var_idx),
      "uses_global_constants": exp.uses_global_constants,
      "constraints": _scope_constraints(exp.in_avals),
      "module": base64.b64encode(exp.mlir_module_serialized).decode("ascii"),
  }
  if vjp_order > 0:
    if not exp.has_vjp():
      raise ValueError("serialization of an Exported loaded without its VJP with "
                       f"vjp_order={vjp_order}")
    record["vjp"] = _record(exp.vjp(), vjp_order - 1)
  return record


def serialize(exp: Exported, vjp_order: int = 0) -> bytearray:
  """``exp`` as bytes for :func:`deserialize` (see the module docstring).

  >>> import numpy as np, jaxlite, jaxlite.numpy as jnp
  >>> from jaxlite.export.exported import export
  >>> serialize(export(jaxlite.jit(jnp.sin))(np.float32(0)))[:14]
  bytearray(b'JAXLITE-EXPORT')
  """
  payload = json.dumps({"version": _FORMAT_VERSION, **_record(exp, vjp_order)})
  return bytearray(_MAGIC + payload.encode("utf-8"))


def _from_record(record: dict) -> Exported:
  from jaxlite.export.exported import (maximum_supported_calling_convention_version,
                                       minimum_supported_calling_convention_version)
  version = record["calling_convention_version"]
  if not (minimum_supported_calling_convention_version <= version
          <= maximum_supported_calling_convention_version):
    raise ValueError(f"The serialized module uses calling convention version {version}, "
                     "outside the supported range "
                     f"[{minimum_supported_calling_convention_version}, "
                     f"{maximum_supported_calling_convention_version}].")
  vjp_record = record.get("vjp")
  get_vjp = None if vjp_record is None else (lambda _: _from_record(vjp_record))
  from jaxlite.export.shape_poly import SymbolicScope
  # One scope for every symbolic dimension of the arguments and results.
  scope = SymbolicScope(record.get("constraints", ()))
  return Exported(
      fun_name=record["fun_name"], in_tree=_deserialize_treedef(record["in_tree"]),
      in_avals=tuple(_aval_from_record(a, scope) for a in record["in_avals"]),
      out_tree=_deserialize_treedef(record["out_tree"]),
      out_avals=tuple(_aval_from_record(a, scope) for a in record["out_avals"]),
      _has_named_shardings=False, _in_named_shardings=(None,) * len(record["in_avals"]),
      _out_named_shardings=(None,) * len(record["out_avals"]),
      in_shardings_hlo=(None,) * len(record["in_avals"]),
      out_shardings_hlo=(None,) * len(record["out_avals"]),
      nr_devices=record["nr_devices"], platforms=tuple(record["platforms"]),
      ordered_effects=(), unordered_effects=(),
      disabled_safety_checks=tuple(DisabledSafetyCheck(c) for c in record["disabled_checks"]),
      mlir_module_serialized=base64.b64decode(record["module"]),
      calling_convention_version=version,
      module_kept_var_idx=tuple(record["module_kept_var_idx"]),
      uses_global_constants=record["uses_global_constants"], _get_vjp=get_vjp)


def deserialize(blob: bytearray) -> Exported:
  """The :class:`Exported` that :meth:`Exported.serialize` wrote.

  >>> deserialize(bytearray(b"not an export"))
  Traceback (most recent call last):
  ...
  ValueError: Not a serialized jaxlite Exported (JAX's flatbuffer serializations are not readable by jaxlite).
  """
  data = bytes(blob)
  if not data.startswith(_MAGIC):
    raise ValueError("Not a serialized jaxlite Exported (JAX's flatbuffer serializations "
                     "are not readable by jaxlite).")
  record = json.loads(data[len(_MAGIC):].decode("utf-8"))
  if record.get("version") != _FORMAT_VERSION:
    raise ValueError(f"Unsupported jaxlite export format version {record.get('version')}")
  return _from_record(record)
