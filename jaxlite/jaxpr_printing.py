"""JAX's textual form of jaxprs.

``str(jaxpr)`` lays a jaxpr out with the document engine in
``jaxlite.pretty_printer`` so that the text is JAX's, character for character:
a short jaxpr on one line, a long one with one equation per line, parameters
in brackets (broken over lines, with nested jaxprs indented, when they do not
fit), literals with their type (``2.0:f32[]``), ``_`` for outputs nobody
reads, and sub-jaxprs used more than once (or longer than ten equations)
printed once up front as ``let NAME = { ... } in``.

Primitives whose parameters JAX prints in a special way register a rule in
``pp_eqn_rules`` (``rule(eqn, context, settings) -> Doc``), next to their
definition.

Example:
  >>> import jaxlite, jaxlite.numpy as jnp
  >>> print(jaxlite.make_jaxpr(lambda x: jnp.sin(jnp.cos(x)))(3.0))
  { lambda ; a:f32[]. let b:f32[] = cos a; c:f32[] = sin b in (c,) }
"""
from __future__ import annotations

import itertools
import re
from collections import Counter, deque
from typing import Any, Callable, NamedTuple, Sequence

import numpy as np

from jaxlite import pretty_printer as pp, source_info_util
from jaxlite.core import ClosedJaxpr, DropVar, Jaxpr, JaxprEqn, Literal, Var


class JaxprPpSettings(NamedTuple):
  """Printing options (JAX's names); source information is not recorded here."""
  print_shapes: bool = True
  source_info: bool = False
  name_stack: bool = False
  custom_pp_eqn_rules: bool = True
  print_effects: bool = False


def _alphabetic_name(n: int) -> str:
  """0 -> 'a', 25 -> 'z', 26 -> 'ba': base 26 with letters as digits."""
  s = ""
  while not s or n:
    n, digit = divmod(n, 26)
    s = chr(ord("a") + digit) + s
  return s


class JaxprPpContext:
  """Names variables uniquely across a jaxpr and all the jaxprs nested in it."""

  def __init__(self, var_names: dict | None = None):
    self.shared_jaxprs: dict = {}        # Jaxpr -> name, for jaxprs printed up front
    self.shared_jaxpr_names: set = set()
    self.var_names: dict = dict(var_names or {})
    self._counter = itertools.count()

  def name_of(self, v) -> str:
    name = self.var_names.get(v)
    if name is None:
      name = next(n for n in map(_alphabetic_name, self._counter)
                  if n not in self.shared_jaxpr_names)
      self.var_names[v] = name
    return name

  def suggest_same_var_names(self, for_vars: Sequence, like_vars: Sequence) -> None:
    """Gives the (yet unnamed) ``for_vars`` the names of the aligned ``like_vars``:
    a call's inner binders print with the names of the outer arguments."""
    if len(for_vars) != len(like_vars):
      return
    used = set()
    for inner, outer in zip(for_vars, like_vars):
      if (isinstance(outer, Var) and outer not in used and isinstance(inner, Var)
          and inner not in self.var_names):
        used.add(outer)
        self.var_names[inner] = atom_text(outer, self)


def atom_text(atom, context: JaxprPpContext, print_dtype: bool = True) -> str:
  """A variable's name, ``_`` for a dropped output, or a literal as ``2.0:f32[]``."""
  if type(atom) is Literal:
    if np.shape(atom.val):
      text = "[...]"
    elif type(atom.val) in _PYTHON_SCALARS:
      # A Python scalar prints as written (JAX keeps it: ``y + 0.1`` stages 0.1:f32[]).
      text = repr(atom.val)
    else:
      # Else the value as its type holds it: np.float32(0.044715) prints 0.044714998453855515.
      text = str(np.asarray(atom.val, _literal_dtype(atom)).item())
    return f"{text}:{atom.aval.str_short(short_dtypes=True)}" if print_dtype else text
  if type(atom) is DropVar:
    return "_"
  return context.name_of(atom)


_PYTHON_SCALARS = (int, float, bool, complex)


def _literal_dtype(literal):
  dtype = getattr(literal.aval, "dtype", None)
  return dtype if isinstance(dtype, np.dtype) and dtype.kind in "biufc" else None


def pp_vars(atoms: Sequence, context: JaxprPpContext, *, separator: str = "",
            print_shapes: bool = False) -> pp.Doc:
  """Atoms separated by breaks, each optionally typed (``a:f32[3]``)."""
  if print_shapes:
    docs = [pp.text(f"{atom_text(a, context)}:{a.aval.str_short(short_dtypes=True)}")
            for a in atoms]
  else:
    docs = [pp.text(atom_text(a, context)) for a in atoms]
  return pp.nest(2, pp.group(pp.join(pp.text(separator) + pp.group(pp.brk()), docs)))


def _param_text(value) -> str:
  text = str(value)
  # Addresses differ from run to run; JAX masks them.
  return re.sub(r" at 0x([0-9a-fA-F]+)", lambda m: " at 0x" + "X" * len(m.group(1)), text)


def pp_kv_pair(key: str, value: Any, context, settings) -> pp.Doc:
  if type(value) is tuple and all(isinstance(j, (Jaxpr, ClosedJaxpr)) for j in value):
    doc = pp_jaxprs(value, context, settings)
  elif isinstance(value, Jaxpr):
    doc = pp_jaxpr(value, context, settings)
  elif isinstance(value, ClosedJaxpr):
    doc = pp_jaxpr(value.jaxpr, context, settings)
  elif isinstance(value, frozenset):
    doc = pp.text(f"frozenset({{{', '.join(repr(e) for e in sorted(value))}}})")
  else:
    doc = pp.text(_param_text(value))
  return pp.text(f"{key}=") + doc


def pp_kv_pairs(pairs, context, settings) -> pp.Doc:
  """``[k1=v1 k2=v2]``, one pair per line (indented) when it does not fit."""
  if not pairs:
    return pp.nil()
  items = pp.join(pp.brk(), [pp_kv_pair(k, v, context, settings) for k, v in pairs])
  return pp.group(pp.concat([pp.nest(2, pp.concat([pp.text("["), pp.brk(""), items])),
                             pp.brk(""), pp.text("]")]))


# primitive -> rule(eqn, context, settings) -> Doc, for primitives JAX prints specially.
pp_eqn_rules: dict[Any, Callable] = {}


def pp_eqn(eqn: JaxprEqn, context, settings=JaxprPpSettings()) -> pp.Doc:
  rule = pp_eqn_rules.get(eqn.primitive) if settings.custom_pp_eqn_rules else None
  return (rule or default_pp_eqn)(eqn, context, settings)


def default_pp_eqn(eqn: JaxprEqn, context, settings, params: Sequence[str] | None = None
                   ) -> pp.Doc:
  """``outs = name[params] ins``, parameters sorted by name unless ``params`` orders them."""
  if params is None:
    params = sorted(eqn.params)
  # pretty_print(source_info=True / name_stack=True): where the equation was
  # traced and its name stack, as comments (JAX's annotations).
  source_info = eqn.source_info or source_info_util.new_source_info()
  where = source_info_util.summarize(source_info) if settings.source_info else None
  names = f"[{source_info.name_stack}]" if settings.name_stack else None
  lhs = pp_vars(eqn.outvars, context, print_shapes=settings.print_shapes)
  rhs = [pp.text(eqn.primitive.name, annotation=names),
         pp_kv_pairs([(p, eqn.params[p]) for p in params], context, settings),
         pp.text(" ") + pp_vars(eqn.invars, context)]
  if eqn.outvars:
    return pp.concat([lhs, pp.text(" = ", annotation=where), *rhs])
  return pp.concat(rhs)


def with_params(eqn: JaxprEqn, params: dict) -> JaxprEqn:
  """``eqn`` with other parameters (for printing rules that hide or reshape some)."""
  return eqn._replace(params=params)


def _pp_jaxpr_skeleton(jaxpr: Jaxpr, context, settings) -> pp.Doc:
  constvars = pp_vars(jaxpr.constvars, context, print_shapes=settings.print_shapes)
  invars = pp_vars(jaxpr.invars, context, print_shapes=settings.print_shapes)
  eqns = pp.join(pp.brk("; "), [pp_eqn(e, context, settings) for e in jaxpr.eqns])
  outvars = pp.concat([pp.text("("), pp_vars(jaxpr.outvars, context, separator=","),
                       pp.text(",)" if len(jaxpr.outvars) == 1 else ")")])
  effects = []
  if settings.print_effects:
    effects = [pp.text(" : { " + ", ".join(str(e) for e in jaxpr.effects) + " }")]
  return pp.group(pp.nest(2, pp.concat([
      pp.text("{ lambda "), constvars, pp.text("; "), invars, pp.text(". let"),
      pp.nest(2, pp.brk() + eqns), pp.brk(), pp.text("in "), outvars, *effects,
  ])) + pp.text(" }"))


def pp_jaxpr(jaxpr: Jaxpr, context, settings) -> pp.Doc:
  """A nested jaxpr: its shared name if it was printed up front, its text otherwise."""
  name = context.shared_jaxprs.get(jaxpr)
  if name:
    return pp.text(name)
  return _pp_jaxpr_skeleton(jaxpr, context, settings)


def pp_jaxprs(jaxprs, context, settings) -> pp.Doc:
  """A tuple of jaxprs (``cond``'s branches): ``( {...} {...} )``."""
  jaxprs = [j.jaxpr if isinstance(j, ClosedJaxpr) else j for j in jaxprs]
  return pp.group(pp.concat([
      pp.nest(2, pp.concat([pp.text("("), pp.brk(""),
                            pp.join(pp.brk(), [pp_jaxpr(j, context, settings)
                                               for j in jaxprs])])),
      pp.brk(""), pp.text(")")]))


def jaxprs_in_params(params: dict):
  """The jaxprs held in an equation's parameters (alone or in a tuple)."""
  for value in params.values():
    for v in (value if isinstance(value, tuple) else (value,)):
      if isinstance(v, Jaxpr):
        yield v
      elif isinstance(v, ClosedJaxpr):
        yield v.jaxpr


def _unread_outputs(jaxpr: Jaxpr) -> dict:
  """Outputs of equations that nothing downstream reads: they print as ``_``."""
  names = {}
  read = {a for a in jaxpr.outvars if isinstance(a, Var)}
  for eqn in reversed(jaxpr.eqns):
    for v in eqn.outvars:
      if v not in read:
        names[v] = "_"
    read.update(a for a in eqn.invars if isinstance(a, Var))
  return names


def _shared_jaxprs(top: Jaxpr) -> list:
  """(name, jaxpr) for the sub-jaxprs JAX prints up front: those met more than
  once, and those longer than ten equations; named after the ``name`` parameter
  of the equation holding them (``jaxpr`` otherwise), made unique by a counter."""
  names: dict = {}
  uses: Counter = Counter()
  queue = deque([top])
  while queue:
    jaxpr = queue.popleft()
    uses[jaxpr] += 1 + (jaxpr is not top and len(jaxpr.eqns) > 10)
    for eqn in jaxpr.eqns:
      name = eqn.params.get("name")
      for sub in jaxprs_in_params(eqn.params):
        queue.append(sub)
        if name is not None:
          names.setdefault(sub, str(name).strip("<>"))
  taken: Counter = Counter()
  shared = []
  for jaxpr, count in uses.items():
    if count == 1:
      continue
    name = names.get(jaxpr, "jaxpr")
    seen = taken[name]
    taken[name] += 1
    if seen:
      name += str(seen)
      taken[name] += 1
    shared.append((name, jaxpr))
  return shared


def pp_toplevel_jaxpr(jaxpr: Jaxpr, settings: JaxprPpSettings = JaxprPpSettings()
                      ) -> pp.Doc:
  """The document for a whole jaxpr, shared sub-jaxprs first."""
  context = JaxprPpContext(_unread_outputs(jaxpr))
  shared = _shared_jaxprs(jaxpr)
  for name, sub in shared:
    context.shared_jaxpr_names.add(name)
    context.shared_jaxprs[sub] = name
  docs = [pp.concat([pp.text(f"let {name} = "), _pp_jaxpr_skeleton(sub, context, settings),
                     pp.text(" in"), pp.brk()])
          for name, sub in shared]
  docs.append(pp_jaxpr(jaxpr, context, settings))
  return pp.concat(docs)


def pretty_print(jaxpr: Jaxpr, *, source_info=False, print_shapes=True,
                 custom_pp_eqn_rules=True, name_stack=False, print_effects=False,
                 **format_options) -> str:
  """``jaxpr`` as JAX prints it (``Jaxpr.pretty_print``'s implementation)."""
  settings = JaxprPpSettings(print_shapes=print_shapes, source_info=source_info,
                             name_stack=name_stack, custom_pp_eqn_rules=custom_pp_eqn_rules,
                             print_effects=print_effects)
  return pp_toplevel_jaxpr(jaxpr, settings).format(**format_options)


def eqn_text(eqn: JaxprEqn) -> str:
  """One equation on its own, as ``repr(eqn)`` shows it in JAX."""
  return pp_eqn(eqn, JaxprPpContext(), JaxprPpSettings()).format().rstrip()
