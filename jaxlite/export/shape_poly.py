"""Symbolic dimensions (JAX's shape polymorphism objects): ``symbolic_shape``
parses ``"a, 2*b + 1"`` into dimension expressions, which add, subtract,
multiply, floor-divide and compare as JAX's do (a comparison that the
dimension variables' bounds cannot decide raises
``InconclusiveDimensionOperation``), inside a ``SymbolicScope`` holding the
user's constraints.

An expression is a polynomial with integer coefficients over *factors*:
dimension variables (each at least 1) and the non-polynomial operations
``floordiv``, ``mod``, ``max``, ``min`` and ``non_negative`` of expressions.

  >>> a, b = symbolic_shape("a, b")
  >>> a * b + 2 * a - 3
  a*b + 2*a - 3
  >>> a >= 1, (a + b) - b
  (True, a)
"""
from __future__ import annotations

import math
import sys
from typing import Any

from jaxlite import dtypes, errors

__all__ = ["SymbolicScope", "symbolic_shape", "symbolic_args_specs", "is_symbolic_dim",
           "InconclusiveDimensionOperation"]


class InconclusiveDimensionOperation(errors.InconclusiveDimensionOperation):
  """A computation on symbolic dimensions whose result the dimension
  variables' bounds do not decide."""

  _help_msg = """
This error arises for comparison operations with shapes that
are non-constant, and the result of the operation cannot be represented as
a boolean value for all values of the symbolic dimensions involved.

Please see https://docs.jax.dev/en/latest/export/shape_poly.html#comparison-of-symbolic-dimensions-is-partially-supported
for more details.
"""

  def __init__(self, message: str):
    super().__init__(f"{message}{InconclusiveDimensionOperation._help_msg}")


def _user_location() -> str:
  """``file:line:column (function)`` of the first caller outside jaxlite."""
  frame = sys._getframe(1)
  while frame is not None and "/jaxlite/" in frame.f_code.co_filename:
    frame = frame.f_back
  if frame is None:
    return "unknown"
  code = frame.f_code
  column = 0
  positions = list(code.co_positions())
  index = frame.f_lasti // 2
  if index < len(positions) and positions[index][2] is not None:
    column = positions[index][2]
  return f"{code.co_filename}:{frame.f_lineno}:{column} ({code.co_name})"


class SymbolicScope:
  """The scope of symbolic expressions that meet (in one function's argument
  shapes, or in arithmetic): they must share one scope object, which holds
  the constraints on them (``"e1 >= e2"``, ``"e1 <= e2"``, ``"e1 == e2"``).

  >>> scope = SymbolicScope(["a >= b", "b >= 3"])
  >>> a, b = symbolic_shape("a, b", scope=scope)
  >>> a >= b, b >= 2
  (True, True)
  """

  def __init__(self, constraints_str=()):
    if isinstance(constraints_str, str):
      raise ValueError("The symbolic constraints should be a sequence of strings. "
                       f"Got {constraints_str!r}")
    self._location = _user_location()
    self._constraints: list[tuple[str, Any]] = []   # (text, e1 - e2 >= 0)
    for text in constraints_str:
      self._add_constraint(text)

  def _add_constraint(self, text):
    if not isinstance(text, str):
      raise ValueError(f"SymbolicScope constraint must be a string: got {text!r}")
    for op in ("==", ">=", "<="):
      pos = text.find(op)
      if pos >= 0:
        break
    else:
      raise ValueError("Constraint parsing error: must contain one of '==' or '>=' or '<='")
    e1, = _Parser(text[:pos], None, repr(text[:pos]), self).parse()
    e2, = _Parser(text[pos + 2:], None, repr(text[pos + 2:]), self).parse()
    if op == "<=":
      e1, e2 = e2, e1
    self._constraints.append((text.strip(), e1 - e2))
    if op == "==":
      self._constraints.append((text.strip(), e2 - e1))

  def __str__(self):
    extras = []
    if self._constraints:
      extras.append(" with constraints:")
      seen = []
      for text, _ in self._constraints:
        if text not in seen:
          seen.append(text)
          extras.append(f"  {text}")
    return f"{id(self)} created at {self._location}" + "\n".join(extras)

  __repr__ = __str__

  def _check_same_scope(self, other, when, self_descr="", other_descr="unknown"):
    if self is not other.scope:
      raise ValueError(
          f"Invalid mixing of symbolic scopes {when}.\n"
          f"Expected {self_descr} scope {self}\n"
          f"and found for '{other}' ({other_descr}) scope {other.scope}\n"
          "See https://docs.jax.dev/en/latest/export/shape_poly.html"
          "#user-specified-symbolic-constraints.")


# --- factors, terms, expressions ------------------------------------------------------------------


class _Factor:
  """A dimension variable (``name``) or an operation on expressions."""
  __slots__ = ("var", "op", "operands")

  def __init__(self, var=None, op=None, operands=()):
    self.var, self.op, self.operands = var, op, tuple(operands)

  def _key(self):
    return (0, self.var) if self.var is not None else (1, self.op, tuple(
        _sort_key(o) for o in self.operands))

  def __eq__(self, other):
    return isinstance(other, _Factor) and self._key() == other._key()

  def __lt__(self, other):
    return self._key() < other._key()

  def __hash__(self):
    return hash(self._key())

  def __str__(self):
    if self.var is not None:
      return self.var
    return f"{self.op}({', '.join(str(o) for o in self.operands)})"

  def bounds(self, scope):
    if self.var is not None:
      return 1, math.inf
    bounds = [_bounds(o, scope) for o in self.operands]
    if self.op == "floordiv":
      (lo, hi), (dlo, dhi) = bounds
      if dlo > 0:
        return (math.floor(lo / dhi) if dhi != math.inf else min(0, lo)), (
            hi if hi == math.inf else math.floor(hi / dlo))
      return -math.inf, math.inf
    if self.op == "mod":
      _, (dlo, dhi) = bounds
      return (0, dhi - 1) if dlo > 0 else (-math.inf, math.inf)
    if self.op == "max":
      return max(bounds[0][0], bounds[1][0]), max(bounds[0][1], bounds[1][1])
    if self.op == "min":
      return min(bounds[0][0], bounds[1][0]), min(bounds[0][1], bounds[1][1])
    lo, hi = bounds[0]   # non_negative
    return max(lo, 0), max(hi, 0)


def _sort_key(e):
  return (0, e) if isinstance(e, int) else (1, tuple((t, c) for t, c in e._terms))


class _DimExpr:
  """A symbolic dimension: ``sum(coefficient * prod(factor ** power))``, with
  the constant term under the empty product. Expressions that are constants
  become Python ints."""
  __slots__ = ("_terms", "scope")

  def __init__(self, terms, scope):
    self._terms = terms   # ((factors: tuple of (_Factor, power), coefficient), ...) normalized
    self.scope = scope

  # -- construction --

  @staticmethod
  def _make(coefficients: dict, scope):
    """An int or expression from {factors: coefficient}."""
    terms = [(f, c) for f, c in coefficients.items() if c != 0]
    if all(not f for f, _ in terms):
      return sum(c for _, c in terms)
    # Highest degree first; among equal degrees, the larger factors first.
    terms.sort(key=lambda fc: (sum(p for _, p in fc[0]),
                               sorted(((f._key(), p) for f, p in fc[0]), reverse=True)),
               reverse=True)
    return _DimExpr(tuple(terms), scope)

  @staticmethod
  def _variable(name, scope):
    return _DimExpr._of_factor(_Factor(var=name), scope)

  @staticmethod
  def _operation(op, operands, scope):
    return _DimExpr._of_factor(_Factor(op=op, operands=operands), scope)

  @staticmethod
  def _of_factor(factor, scope):
    factors = ((factor, 1),)
    return _DimExpr(((factors, 1),), scope)

  def _coefficients(self) -> dict:
    return dict(self._terms)

  # -- printing --

  def __str__(self):
    out = []
    for factors, coefficient in self._terms:
      names = "*".join(str(f) if p == 1 else f"{f}^{p}" for f, p in sorted(factors))
      magnitude = abs(coefficient)
      text = names if magnitude == 1 and names else \
          f"{magnitude}*{names}" if names else f"{magnitude}"
      sign = "-" if coefficient < 0 else "+"
      out.append(f"- {text}" if not out and sign == "-" else text if not out
                 else f"{sign} {text}")
    return " ".join(out)

  __repr__ = __str__

  # -- arithmetic --

  def _other(self, other, op):
    if isinstance(other, _DimExpr):
      self.scope._check_same_scope(other, f"for {op}")
      return other
    try:
      return int(other.__index__()) if not isinstance(other, int) else other
    except AttributeError:
      return NotImplemented

  def _combine(self, other, sign):
    coefficients = self._coefficients()
    if isinstance(other, int):
      coefficients[()] = coefficients.get((), 0) + sign * other
    else:
      for f, c in other._terms:
        coefficients[f] = coefficients.get(f, 0) + sign * c
    return _DimExpr._make(coefficients, self.scope)

  def __add__(self, other):
    other = self._other(other, "linear combination")
    return NotImplemented if other is NotImplemented else self._combine(other, 1)

  __radd__ = __add__

  def __sub__(self, other):
    other = self._other(other, "linear combination")
    return NotImplemented if other is NotImplemented else self._combine(other, -1)

  def __rsub__(self, other):
    return (-self) + other

  def __neg__(self):
    return _DimExpr._make({f: -c for f, c in self._terms}, self.scope)

  def __mul__(self, other):
    other = self._other(other, "multiplication")
    if other is NotImplemented:
      return NotImplemented
    if isinstance(other, int):
      return _DimExpr._make({f: c * other for f, c in self._terms}, self.scope)
    out: dict = {}
    for f1, c1 in self._terms:
      for f2, c2 in other._terms:
        powers = dict(f1)
        for f, p in f2:
          powers[f] = powers.get(f, 0) + p
        key = tuple(sorted(powers.items()))
        out[key] = out.get(key, 0) + c1 * c2
    return _DimExpr._make(out, self.scope)

  __rmul__ = __mul__

  def _divmod(self, divisor):
    """``(self // divisor, self % divisor)`` exactly when every coefficient is
    divisible by an int divisor; otherwise the operations as factors."""
    if isinstance(divisor, int) and divisor != 0 and \
        all(c % divisor == 0 for _, c in self._terms):
      return _DimExpr._make({f: c // divisor for f, c in self._terms}, self.scope), 0
    quotient = self._divide_by_monomial(divisor)
    if quotient is not None:
      return quotient, 0
    return (_DimExpr._operation("floordiv", (self, divisor), self.scope),
            _DimExpr._operation("mod", (self, divisor), self.scope))

  def _divide_by_monomial(self, divisor):
    """``self / divisor`` when ``divisor`` is one term that divides every term
    exactly (``8*a*b // (2*b) == 4*a``); else None."""
    if not isinstance(divisor, _DimExpr) or len(divisor._terms) != 1:
      return None
    (d_factors, d_coefficient), = divisor._terms
    out = {}
    for factors, coefficient in self._terms:
      powers = dict(factors)
      for f, p in d_factors:
        if powers.get(f, 0) < p:
          return None
        powers[f] -= p
      if coefficient % d_coefficient:
        return None
      out[tuple(sorted((f, p) for f, p in powers.items() if p))] = coefficient // d_coefficient
    return _DimExpr._make(out, self.scope)

  def __floordiv__(self, other):
    other = self._other(other, "floordiv")
    return NotImplemented if other is NotImplemented else self._divmod(other)[0]

  def __mod__(self, other):
    other = self._other(other, "mod")
    return NotImplemented if other is NotImplemented else self._divmod(other)[1]

  def __rfloordiv__(self, other):
    return _DimExpr._operation("floordiv", (int(other), self), self.scope)

  def __rmod__(self, other):
    return _DimExpr._operation("mod", (int(other), self), self.scope)

  def __divmod__(self, other):
    return self // other, self % other

  def __pow__(self, power):
    power = int(power)
    if power < 0:
      raise ValueError(f"Symbolic dimension cannot be raised to negative powers: {self} ** {power}")
    return math.prod([self] * power, start=1)

  # -- comparison --

  def __int__(self):
    raise InconclusiveDimensionOperation(
        f"Symbolic dimension '{self}' used in a context that requires a constant")

  __index__ = __int__

  def __eq__(self, other):
    if isinstance(other, _DimExpr):
      if self.scope is not other.scope:
        return False
    elif not isinstance(other, int):
      return False
    # Equal when the difference is the constant 0 (undecided ones compare unequal).
    diff = self - other
    return isinstance(diff, int) and diff == 0

  def __ne__(self, other):
    return not self.__eq__(other)

  def __hash__(self):
    return hash((self._terms, id(self.scope)))

  def __ge__(self, other):
    return _geq(self, other, lambda: f"'{self}' >= '{other}'")

  def __le__(self, other):
    return _geq(other, self, lambda: f"'{self}' <= '{other}'")

  def __gt__(self, other):
    return not _geq(other, self, lambda: f"'{self}' > '{other}'")

  def __lt__(self, other):
    return not _geq(self, other, lambda: f"'{self}' < '{other}'")

  def __jax_array__(self):
    """The dimension as a scalar integer array (``jnp.mean``'s divisor)."""
    from jaxlite.export import dim_lowering
    return dim_lowering.dimension_as_value(self)

  def __bool__(self):
    raise InconclusiveDimensionOperation(
        f"Symbolic dimension '{self}' used in a context that requires a constant")


def _bounds(e, scope) -> tuple[float, float]:
  """Lower and upper bounds of ``e`` over all values of its variables (each at
  least 1), before the scope's constraints."""
  if isinstance(e, int):
    return e, e
  lo = hi = 0
  for factors, coefficient in e._terms:
    f_lo, f_hi = 1, 1
    for f, p in factors:
      b_lo, b_hi = f.bounds(scope)
      if b_lo < 0:   # a sign-changing factor: no useful bound on the product
        f_lo, f_hi = -math.inf, math.inf
        break
      f_lo, f_hi = f_lo * b_lo ** p, f_hi * b_hi ** p
    t_lo, t_hi = (coefficient * f_lo, coefficient * f_hi) if coefficient > 0 else \
        (coefficient * f_hi, coefficient * f_lo)
    lo, hi = lo + t_lo, hi + t_hi
  return lo, hi


def _decide_geq0(diff, scope) -> bool | None:
  """True if ``diff >= 0`` always, False if ``diff < 0`` always, else None;
  the constraints ``c >= 0`` of the scope help as ``diff - c >= 0``."""
  lo, hi = _bounds(diff, scope)
  if lo >= 0:
    return True
  if hi < 0:
    return False
  # The constraints c >= 0, alone and in pairs (a >= b, b >= 3 give a >= 3).
  known = [c for _, c in scope._constraints]
  combined = known + [c1 + c2 for i, c1 in enumerate(known) for c2 in known[i:]]
  for constraint in combined:
    if _bounds(diff - constraint, scope)[0] >= 0:
      return True
    if _bounds(-diff - 1 - constraint, scope)[0] >= 0:   # diff <= -1 - c <= -1
      return False
  return None


def _geq(e1, e2, describe) -> bool:
  if isinstance(e1, _DimExpr):
    scope = e1.scope
    if isinstance(e2, _DimExpr):
      scope._check_same_scope(e2, f"when comparing {describe()}")
  elif isinstance(e2, _DimExpr):
    scope = e2.scope
  else:
    return int(e1) >= int(e2)
  decided = _decide_geq0(e1 - e2, scope)
  if decided is not None:
    return decided
  extra = f"\nUsing symbolic scope {scope}" if scope._constraints else ""
  raise InconclusiveDimensionOperation(
      f"Symbolic dimension comparison {describe()} is inconclusive.{extra}")


def is_symbolic_dim(p: Any) -> bool:
  """Whether ``p`` is a symbolic dimension (an expression in dimension variables).

  >>> a, = symbolic_shape("a")
  >>> is_symbolic_dim(a), is_symbolic_dim(a - a), is_symbolic_dim(3)
  (True, False, False)
  """
  return isinstance(p, _DimExpr)


# --- parsing ----------------------------------------------------------------------------------------


class _Parser:
  """Parses a shape spec ``"a, 2*b + 1, ..."`` by JAX's grammar: a shape is
  comma-separated expressions (optionally in parentheses, ``_`` and ``...``
  placeholders); an expression is ``[+|-] term ((+|-) term)*``; a term is
  ``factor[^k] (* factor[^k])*``; a factor is a variable, an integer (``-k``
  too) or ``floordiv``/``mod``/``max``/``min`` of two expressions."""
  _FOLLOW_SHAPE = ("ENDMARKER", "RPAR")
  _FOLLOW_EXPR = _FOLLOW_SHAPE + ("COMMA",)
  _FOLLOW_TERM = _FOLLOW_EXPR + ("PLUS", "MINUS")

  def __init__(self, text, like, text_repr, scope):
    self.text, self.like, self.text_repr, self.scope = text, like, text_repr, scope
    self.dims: list = []

  def parse(self):
    import io
    import tokenize
    self._tokens = tokenize.tokenize(io.BytesIO(self.text.encode("utf-8")).readline)
    tok = self._consume(self._next(), "ENCODING")
    shape, tok = self._shape(tok)
    self._expect(tok, ("ENDMARKER",))
    return shape

  @staticmethod
  def _kind(tok):
    import tokenize
    return tokenize.tok_name[tok.exact_type]

  def _error(self, tok, detail):
    message = (f"syntax error in symbolic shape {self.text_repr} in dimension "
               f"{len(self.dims)}: {detail}. ")
    if tok is not None:
      col = tok.start[1]
      message += f"Parsed '{tok.line[:col]}', remaining '{tok.line[col:]}'."
    return ValueError(message)

  def _next(self):
    while True:
      try:
        tok = next(self._tokens)
      except StopIteration:
        raise self._error(None, "unexpected end of string") from None
      if self._kind(tok) not in ("NEWLINE", "INDENT", "DEDENT"):
        return tok

  def _expect(self, tok, kinds):
    if self._kind(tok) not in kinds:
      raise self._error(tok, "expecting one of {" + ", ".join(kinds) + "} but found " +
                        self._kind(tok))

  def _consume(self, tok, kind):
    self._expect(tok, (kind,))
    return self._next()

  def _integer(self, tok):
    self._expect(tok, ("NUMBER",))
    try:
      value = int(tok.string)
    except ValueError:
      raise self._error(tok, f"expecting integer, found {tok.string}") from None
    return value, self._next()

  def _add_dim(self, dim, tok):
    if dim is None:
      raise self._error(tok, f"unexpected placeholder for unknown dimension; like={self.like}")
    if isinstance(dim, int) and self.like is not None and dim != self.like[len(self.dims)]:
      raise self._error(tok, f"different size {dim} for known dimension; like={self.like}")
    self.dims.append(dim)

  def _shape(self, tok):
    if self._kind(tok) == "LPAR":
      shape, tok = self._shape(self._next())
      return shape, self._consume(tok, "RPAR")
    while self._kind(tok) not in self._FOLLOW_SHAPE:
      is_ellipsis = self._kind(tok) == "ELLIPSIS"
      if is_ellipsis or (self._kind(tok) == "NAME" and tok.string == "_"):
        if self.like is None:
          raise self._error(tok, "spec contains ... but no 'like' shape was given")
        needed = len(self.dims) + (0 if is_ellipsis else 1)
        if len(self.like) < needed:
          raise self._error(tok, f"cannot resolve placeholder '{tok.string}' because we parsed "
                                 f"{len(self.dims)} already and 'like' shape has only "
                                 f"{len(self.like)} dimensions")
      if is_ellipsis:
        for dim in self.like[len(self.dims):]:
          self._add_dim(dim, tok)
        tok = self._next()
        break
      if self._kind(tok) == "NAME" and tok.string == "_":
        dim, tok = self.like[len(self.dims)], self._next()
      else:
        dim, tok = self._expr(tok)
      self._add_dim(dim, tok)
      if self._kind(tok) in self._FOLLOW_SHAPE:
        break
      tok = self._consume(tok, "COMMA")
    return tuple(self.dims), tok

  def _expr(self, tok):
    negated = self._kind(tok) == "MINUS"
    if negated or self._kind(tok) == "PLUS":
      tok = self._next()
    total = None
    while True:
      term, tok = self._term(tok)
      term = -term if negated else term
      total = term if total is None else total + term
      if self._kind(tok) in self._FOLLOW_EXPR:
        return total, tok
      negated = self._kind(tok) == "MINUS"
      self._expect(tok, ("PLUS", "MINUS"))
      tok = self._next()

  def _term(self, tok):
    product = None
    while True:
      factor, tok = self._factor(tok)
      if self._kind(tok) == "CIRCUMFLEX":
        tok = self._next()
        self._expect(tok, ("NUMBER",))
        power, tok = self._integer(tok)
        factor = factor ** power
      product = factor if product is None else product * factor
      if self._kind(tok) in self._FOLLOW_TERM:
        return product, tok
      tok = self._consume(tok, "STAR")

  def _factor(self, tok):
    if self._kind(tok) == "NAME":
      if tok.string in ("mod", "floordiv", "max", "min"):
        return self._binary(tok.string, self._next())
      return _DimExpr._variable(tok.string, self.scope), self._next()
    sign = 1
    if self._kind(tok) == "MINUS":   # -k is a negative constant
      sign = -1
      tok = self._next()
      self._expect(tok, ("NUMBER",))
    if self._kind(tok) == "NUMBER":
      value, tok = self._integer(tok)
      return sign * value, tok
    self._expect(tok, ("NAME", "MINUS", "NUMBER"))

  def _binary(self, op, tok):
    tok = self._consume(tok, "LPAR")
    e1, tok = self._expr(tok)
    tok = self._consume(tok, "COMMA")
    e2, tok = self._expr(tok)
    tok = self._consume(tok, "RPAR")
    return _apply(op, [e1, e2], self.scope), tok


def _apply(name, operands, scope):
  if name == "floordiv":
    return _as_expr(operands[0], scope) // operands[1]
  if name == "mod":
    return _as_expr(operands[0], scope) % operands[1]
  if all(isinstance(o, int) for o in operands):
    return {"max": max, "min": min}.get(name, lambda x: max(x, 0))(*operands)
  return _DimExpr._operation(name, tuple(operands), scope)


def _as_expr(value, scope):
  if isinstance(value, _DimExpr):
    return value
  return _DimExpr((((), value),), scope) if value else _DimExpr((), scope)


# --- the public constructors ---------------------------------------------------------------------


def symbolic_shape(shape_spec, *, constraints=(), scope=None, like=None):
  """A shape of ints and symbolic dimensions parsed from ``shape_spec`` (a
  tuple written as a string, parentheses optional; ``None`` means ``"..."``).
  A dimension is an integer, a variable, ``e1 + e2``, ``e1 - e2``,
  ``e1 * e2``, ``floordiv(e1, e2)``, ``mod(e1, e2)``, ``max(e1, e2)`` or
  ``min(e1, e2)``; ``_`` and ``...`` take their sizes from ``like``.

  >>> symbolic_shape("a, 2*b + a, b - 1")
  (a, 2*b + a, b - 1)
  >>> symbolic_shape("a, _", like=(None, 4))
  (a, 4)
  """
  spec_repr = repr(shape_spec)
  if shape_spec is None:
    shape_spec = "..."
  elif not isinstance(shape_spec, str):
    raise ValueError(f"polymorphic shape spec should be None or a string. Found {spec_repr}.")
  if scope is None:
    scope = SymbolicScope(constraints)
  elif constraints:
    raise ValueError("Cannot specify both a `scope` and `constraints`.")
  return _Parser(shape_spec, like, spec_repr, scope).parse()


def symbolic_args_specs(args, shapes_specs, constraints=(), scope=None):
  """``ShapeDtypeStruct`` specs of ``args`` (a pytree of arrays or specs)
  with shapes parsed from ``shapes_specs``: ``None`` (static shapes), one
  string for every argument, or a pytree prefix of ``args`` of them. All
  share one ``SymbolicScope``.

  >>> import numpy as np
  >>> symbolic_args_specs((np.zeros((3, 4), np.float32), np.zeros(2, np.int32)), ("a, _", "c"))
  (ShapeDtypeStruct(shape=(a, 4), dtype=float32), ShapeDtypeStruct(shape=(c,), dtype=int32))
  """
  import numpy as np
  from jaxlite import tree_util
  from jaxlite.shape_dtype_struct import ShapeDtypeStruct
  leaves, treedef = tree_util.tree_flatten(args)
  if isinstance(args, tuple) and isinstance(shapes_specs, list):
    shapes_specs = tuple(shapes_specs)
  specs = [shapes_specs] * len(leaves) if shapes_specs is None or isinstance(
      shapes_specs, str) else tree_util.tree_leaves(
          tree_util.tree_broadcast(shapes_specs, args, is_leaf=lambda x: x is None),
          is_leaf=lambda x: x is None)
  if scope is None:
    scope = SymbolicScope(constraints)
  elif constraints:
    raise ValueError("Cannot specify both a `scope` and `constraints`.")
  out = []
  for leaf, spec in zip(leaves, specs):
    shape, dtype = tuple(np.shape(leaf)), getattr(leaf, "dtype", None)
    dtype = dtypes.canonicalize_dtype(np.asarray(leaf).dtype if dtype is None else dtype)
    if spec is not None:
      shape = symbolic_shape(spec, like=shape, scope=scope)
    out.append(ShapeDtypeStruct(shape, dtype))
  return tree_util.tree_unflatten(treedef, out)


# --- evaluating expressions ---------------------------------------------------------------------


class IntOperations:
  """The operations :func:`evaluate` computes with, on Python ints (or on
  other symbolic dimensions); subclasses compute on other values (IR)."""

  def constant(self, value: int):
    return value

  def add(self, x, y):
    return x + y

  def mul(self, x, y):
    return x * y

  def floordiv(self, x, y):
    return x // y

  def mod(self, x, y):
    return x % y

  def max(self, x, y):
    return _apply("max", [x, y], None) if is_symbolic_dim(x) or is_symbolic_dim(y) else max(x, y)

  def min(self, x, y):
    return _apply("min", [x, y], None) if is_symbolic_dim(x) or is_symbolic_dim(y) else min(x, y)


def evaluate(expr, values: dict, operations=IntOperations()):
  """The value of ``expr`` (an int or symbolic dimension) when its variables
  have ``values`` (name -> value), computed with ``operations``.

  >>> a, b = symbolic_shape("a, b")
  >>> evaluate(2 * a * b + 1, {"a": 3, "b": 4})
  25
  """
  if not isinstance(expr, _DimExpr):
    return operations.constant(int(expr))
  total = None
  for factors, coefficient in expr._terms:
    term = operations.constant(coefficient) if coefficient != 1 or not factors else None
    for factor, power in factors:
      value = _evaluate_factor(factor, values, operations)
      for _ in range(power):
        term = value if term is None else operations.mul(term, value)
    total = term if total is None else operations.add(total, term)
  return total if total is not None else operations.constant(0)


def _evaluate_factor(factor, values, operations):
  if factor.var is not None:
    return values[factor.var]
  args = [evaluate(o, values, operations) for o in factor.operands]
  if factor.op == "non_negative":
    return operations.max(args[0], operations.constant(0))
  return getattr(operations, factor.op)(*args)


def _decided_min(e1, e2, which):
  """``e1`` or ``e2`` where the bounds say which is the min (max), else the
  symbolic operation."""
  for first, second in ((e1, e2), (e2, e1)):
    try:
      if first <= second if which == "min" else first >= second:
        return first
    except InconclusiveDimensionOperation:
      pass
  scope = next(e.scope for e in (e1, e2) if isinstance(e, _DimExpr))
  return _DimExpr._operation(which, (e1, e2), scope)


def dim_min(e1, e2):
  """``min(e1, e2)``: the smaller where the bounds decide it, else a
  symbolic ``min`` (as JAX's ``core.min_dim``).

  >>> b, = symbolic_shape("b")
  >>> dim_min(b, 1), dim_min(b, 3)
  (1, min(b, 3))
  """
  return _decided_min(e1, e2, "min")


def dim_max(e1, e2):
  """``max(e1, e2)``: the larger where the bounds decide it, else a symbolic
  ``max``.

  >>> b, = symbolic_shape("b")
  >>> dim_max(0, b - 2)
  max(0, b - 2)
  """
  return _decided_min(e1, e2, "max")


def variables(expr) -> set:
  """The names of the dimension variables ``expr`` depends on.

  >>> sorted(variables(symbolic_shape("a, floordiv(b, 2)")[1]))
  ['b']
  """
  if not isinstance(expr, _DimExpr):
    return set()
  names = set()
  for factors, _ in expr._terms:
    for factor, _ in factors:
      if factor.var is not None:
        names.add(factor.var)
      else:
        for operand in factor.operands:
          names |= variables(operand)
  return names
