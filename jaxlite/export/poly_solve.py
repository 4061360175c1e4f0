"""Solving dimension variables from the sizes of a call's arguments, with the
checks JAX makes: each variable is at least 1, every symbolic dimension
equals its specification, divisions are exact, and the scope's constraints
hold. One solver serves both the Python check at call time (on ints) and the
``shape_assertion`` operations of an exported module (on IR values).

  >>> from jaxlite.core import ShapedArray
  >>> import numpy as np
  >>> b, = symbolic_shape("b")
  >>> plan = solve([ShapedArray((b, 4), np.float32)], ["args[0]"],
  ...              lambda i, d: [[3, 4]][i][d])
  >>> plan.values
  {'b': 3}
"""
from __future__ import annotations

from typing import Any, Callable, NamedTuple

from jaxlite.export import shape_poly
from jaxlite.export.shape_poly import _DimExpr, symbolic_shape  # noqa: F401 (doc example)

_TRAILER = (". Please see https://docs.jax.dev/en/latest/export/shape_poly.html"
            "#shape-assertion-errors for more details.")
_MISMATCH = "Input shapes do not match the polymorphic shapes specification. "


class Constraint(NamedTuple):
  """``lhs == rhs`` (``comparison`` "EQ") or ``lhs >= rhs`` ("GE"), with the
  error message as pieces: strings and values (shown where they stand)."""
  comparison: str
  lhs: Any
  rhs: Any
  message_pieces: list


class Solution(NamedTuple):
  values: dict            # variable name -> value
  constraints: list       # Constraint, in the order JAX checks them


def shape_text(shape) -> str:
  """``(b, 4)``: how JAX shows a specification in its messages."""
  return str(tuple(shape))


def solve(in_avals, arg_names, size: Callable, operations=shape_poly.IntOperations()):
  """Values of the dimension variables of ``in_avals`` from the sizes of the
  arguments (``size(arg_index, dim)``), computed with ``operations``, and the
  constraints to check. Raises JAX's ValueError where a variable cannot be
  solved from the shapes (not a linear uni-variate equation)."""
  equations = [(f"{arg_names[i]}.shape[{d}]", expr, i, d)
               for i, aval in enumerate(in_avals) for d, expr in enumerate(aval.shape)
               if shape_poly.is_symbolic_dim(expr)]
  specs = " Using the following polymorphic shapes specifications: " + ",".join(
      f"{arg_names[i]}.shape = {shape_text(aval.shape)}" for i, aval in enumerate(in_avals)
      if any(shape_poly.is_symbolic_dim(d) for d in aval.shape)) + "."
  env: dict = {}
  solution_pieces: list = [" Obtained dimension variables: "]
  constraints: list = []
  sizes: dict = {}

  def size_of(i, d):
    if (i, d) not in sizes:
      sizes[(i, d)] = size(i, d)
    return sizes[(i, d)]

  def process(equation) -> bool:
    dim_name, expr, i, d = equation
    remaining = size_of(i, d)
    var = var_k = None
    for factors, coefficient in expr._terms:
      term = _DimExpr._make({factors: 1}, expr.scope)
      if shape_poly.variables(term) <= env.keys():
        value = shape_poly.evaluate(term, env, operations)
        remaining = operations.add(remaining, operations.mul(
            value, operations.constant(-coefficient)))
        continue
      single_var = len(factors) == 1 and factors[0][1] == 1 and factors[0][0].var is not None
      if single_var and var is None:
        var, var_k = factors[0][0].var, coefficient
        continue
      return False
    if var is None:   # all variables known: the dimension must match its specification
      expected = shape_poly.evaluate(expr, env, operations)
      constraints.append(Constraint("EQ", size_of(i, d), expected, [
          _MISMATCH + f"Found inconsistency between dimension size {dim_name} (= ",
          size_of(i, d), f") and the specification '{expr}' (= ", expected,
          ")." + specs] + solution_pieces + [_TRAILER]))
      return True
    if var_k == 1:
      value = remaining
    else:
      k = operations.constant(var_k)
      value, remainder = operations.floordiv(remaining, k), operations.mod(remaining, k)
      constraints.append(Constraint("EQ", remainder, operations.constant(0), [
          _MISMATCH + "Division had remainder ", remainder,
          f" when computing the value of '{var}'." + specs] + solution_pieces + [_TRAILER]))
    env[var] = value
    solution_pieces.extend([f"'{var}' = ", value, f" from specification '{expr}' "
                            f"for dimension {dim_name} (= ", size_of(i, d), "), "])
    constraints.append(Constraint("GE", value, operations.constant(1), [
        _MISMATCH + f"Expected value >= 1 for dimension variable '{var}'." + specs]
        + solution_pieces + [_TRAILER]))
    return True

  while equations:
    unsolved = [e for e in equations if not process(e)]
    if len(unsolved) == len(equations):
      names = set().union(*(shape_poly.variables(e[1]) for e in unsolved)) - env.keys()
      raise ValueError(
          f"Cannot solve for values of dimension variables {names}. We can only solve "
          "linear uni-variate constraints." + specs + " Unprocessed specifications: "
          + ", ".join(f"'{e[1]}' for dimension size {e[0]}" for e in unsolved)
          + ". Please see https://docs.jax.dev/en/latest/export/shape_poly.html"
          "#dimension-variables-must-be-solvable-from-the-input-shapes for more details.")
    equations = unsolved
  constraints.extend(_scope_constraints(in_avals, env, operations, specs, solution_pieces))
  return Solution(env, constraints)


def _scope_constraints(in_avals, env, operations, specs, solution_pieces):
  """The user's constraints of the arguments' scope, checked on the solution."""
  scope = next((d.scope for a in in_avals for d in a.shape
                if shape_poly.is_symbolic_dim(d)), None)
  if scope is None or not env:
    return []
  out, seen = [], set()
  for text, diff in scope._constraints:
    if text in seen:
      continue
    seen.add(text)
    comparison = "EQ" if "==" in text else "GE"
    value = shape_poly.evaluate(diff, env, operations)
    word = "equal" if comparison == "EQ" else "greater or equal"
    out.append(Constraint(comparison, value, operations.constant(0), [
        f"Input shapes do not match the symbolic shape constraint {text}. Expected "
        f"'{diff}' to be {word} to 0, but found ", value, ". " + specs]
        + solution_pieces + [_TRAILER]))
  return out


def check_ints(solution: Solution) -> dict:
  """Raises JAX's ValueError for the first constraint the (int) solution
  breaks; returns the variables' values."""
  for constraint in solution.constraints:
    lhs, rhs = constraint.lhs, constraint.rhs
    holds = lhs == rhs if constraint.comparison == "EQ" else lhs >= rhs
    if not holds:
      raise ValueError("".join(str(p) for p in constraint.message_pieces))
  return solution.values
