"""Associated Legendre functions of the first kind for all orders and degrees up to
``n``: ``lpmn`` (values and derivatives) and ``lpmn_values`` (values, optionally
normalized), which JAX 0.10.2 still serves from ``jax.scipy.special`` behind a
``DeprecationWarning``.

Tables are indexed ``[m, l, point]`` (order, degree, sample).  The recurrences and
their order of operations are JAX's, so the numbers are too, NaN/inf spreading
included (a whole-table masked update per step, where ``0 * inf`` gives NaN).

  >>> from jaxlite.scipy.special_legendre import lpmn_values
  >>> lpmn_values(1, 1, jnp.array([0.5]), False)[:, :, 0]
  Array([[ 1.       ,  0.5      ],
         [ 0.       , -0.8660254]], dtype=float32)
"""
from __future__ import annotations

import numpy as np

from jaxlite import lax
from jaxlite.api import jit
from jaxlite.core_tools import concrete_or_error
import jaxlite.numpy as jnp

__all__ = ["lpmn", "lpmn_values"]


def _order_degree_grids(size, dtype):
  """``(m, l)`` float grids of shape ``(size, size)``: order down, degree across."""
  m, l = jnp.meshgrid(jnp.arange(size, dtype=dtype), jnp.arange(size, dtype=dtype),
                      indexing="ij")
  return m, l


def _three_term_coefficients(l_max, is_normalized, dtype):
  """``(a, b)`` with ``P[m, l] = a[m, l] * x * P[m, l-1] - b[m, l] * P[m, l-2]``,
  zero where the recurrence does not apply (``a`` needs l > m, ``b`` l > m + 1)."""
  m, l = _order_degree_grids(l_max + 1, dtype)
  if is_normalized:
    l2, m2 = l * l, m * m
    two_l, lm1_2 = 2.0 * l, (l - 1.0) * (l - 1.0)
    a = jnp.sqrt((4.0 * l2 - 1.0) / (l2 - m2))
    b = jnp.sqrt(((two_l + 1.0) * (lm1_2 - m2)) / ((two_l - 3.0) * (l2 - m2)))
  else:
    a = (2.0 * l - 1.0) / (l - m)
    b = (l + m - 1.0) / (l - m)
  zero = jnp.zeros_like(a)
  # Off the band the formulas divide by zero: keep zeros there, as JAX's masks do.
  return jnp.where(l > m, a, zero), jnp.where(l > m + 1, b, zero)


def _legendre_table_impl(l_max, x, is_normalized):
  """``P[m, l, k]`` = P_l^m(x[k]) (Condon-Shortley phase), 0 <= m, l <= l_max; with
  ``is_normalized`` times sqrt((2l+1)(l-m)! / (4 pi (l+m)!))."""
  size, points = l_max + 1, x.shape[0]
  orders = jnp.arange(1, l_max + 1, dtype=x.dtype)
  degrees = jnp.arange(l_max, dtype=x.dtype)
  if is_normalized:
    first = 0.5 / jnp.sqrt(np.pi)
    diagonal_factor = jnp.cumprod(-1 * jnp.sqrt(1.0 + 0.5 / orders))
    next_factor = jnp.sqrt(2.0 * degrees + 3.0)
  else:
    first = 1.0
    diagonal_factor = jnp.cumprod(1.0 - 2.0 * orders)   # (-1)^m (2m-1)!!
    next_factor = 2.0 * degrees + 1.0

  table = jnp.zeros((size, size, points), dtype=x.dtype).at[0, 0].set(first)
  # P_m^m = factor_m * sin^m, with sin^m a running product down the orders.
  sine_powers = jnp.cumprod(jnp.broadcast_to(jnp.sqrt(1.0 - x * x), (l_max, points)),
                            axis=0)
  diagonal = first * (diagonal_factor[:, None] * sine_powers)
  steps = np.arange(1, size)
  table = table.at[steps, steps].set(diagonal)
  # P_{m+1}^m = next_factor_m * x * P_m^m.
  below = np.arange(l_max)
  table = table.at[below, below + 1].set(
      (next_factor[:, None] * x[None, :]) * table[below, below])

  # The rest, one band l - m = step at a time; the update covers the whole table
  # (zero coefficients off the band) as JAX's does, so NaN/inf spread alike.
  a, b = _three_term_coefficients(l_max, is_normalized, x.dtype)
  m, l = _order_degree_grids(size, x.dtype)
  bands = jnp.arange(size, dtype=x.dtype)[:, None, None] == (l - m)[None]
  a_bands = jnp.where(bands, a[None], jnp.zeros_like(a)[None])
  b_bands = jnp.where(bands, b[None], jnp.zeros_like(b)[None])

  def band(step, table):
    previous = jnp.roll(table, 1, axis=1)
    before_previous = jnp.roll(table, 2, axis=1)
    # einsum, not broadcasting: XLA then lays the products out as JAX's code does,
    # and contracts the same multiply-subtract into an FMA (bit-equal results).
    return table + (jnp.einsum("ij,ijk->ijk", a_bands[step],
                               jnp.einsum("ijk,k->ijk", previous, x))
                    - jnp.einsum("ij,ijk->ijk", b_bands[step], before_previous))

  if l_max > 1:
    table = lax.fori_loop(2, l_max + 1, band, table)
  return table


_legendre_table = jit(_legendre_table_impl, static_argnums=(0, 2))


def _shift_degree(table):
  """``table[m, l-1]`` (zero at l = 0)."""
  return jnp.pad(table, ((0, 0), (1, 0), (0, 0)))[:, :-1, :]


def _legendre_derivative_impl(p, x):
  """``dP_l^m/dx`` from the unnormalized table ``p`` of ``_legendre_table``, by
  dP_l^m = ((l+m)(l-m+1) P_l^{m-1} - P_l^{m+1}) / 2 with both neighbours from the
  degree l-1 (m = 1 separately: it needs P_l^0 over sin)."""
  size = p.shape[0]
  dtype = x.dtype
  up = _shift_degree(p)                                   # P_{l-1}^m
  up_next2 = jnp.pad(up, ((0, 2), (0, 0), (0, 0)))[2:]    # P_{l-1}^{m+2}
  up_prev2 = jnp.pad(up, ((2, 0), (0, 0), (0, 0)))[:-2]   # P_{l-1}^{m-2}
  # Orders -1 and -2 at degree l-1: P_l^{-m} = (-1)^m (l-m)!/(l+m)! P_l^m.
  if size > 1:
    l_vec = jnp.arange(1, size - 1, dtype=dtype)
    coeff = -1.0 / ((l_vec + 1) * l_vec)
    up_prev2 = up_prev2.at[1, 2:].set(jnp.einsum("i,ij->ij", coeff, p[1, 1:size - 1]))
  if size > 2:
    l_vec = jnp.arange(2, size - 1, dtype=dtype)
    coeff = 1.0 / ((l_vec + 2) * (l_vec + 1) * l_vec * (l_vec - 1))
    up_prev2 = up_prev2.at[0, 3:].set(jnp.einsum("i,ij->ij", coeff, p[2, 2:size - 1]))

  # The coefficients depend on the size only: host constants (XLA then keeps them
  # out of the fused expression, as JAX's scattered masks are, and contracts the
  # same multiply-adds into FMAs).
  m, l = np.meshgrid(np.arange(size, dtype=dtype), np.arange(size, dtype=dtype),
                     indexing="ij")
  in_table = l >= m
  zero = np.zeros_like(m)

  def keep(c, *, drop_order_one=False):
    mask = in_table & (m != 1) if drop_order_one else in_table
    return np.where(mask, c, zero)

  def scale(c, table):
    return jnp.einsum("ij,ijk->ijk", c, table)

  with np.errstate(divide="ignore", invalid="ignore"):   # m = 1 is masked out
    l_plus_m = l + m
    a0 = -0.5 / (m - 1.0)
    c0 = a0 * (l_plus_m - 2.0) * (l_plus_m - 1.0)
  order_below = (scale(keep(a0, drop_order_one=True), up)
                 + scale(keep(c0, drop_order_one=True), up_prev2))      # P_l^{m-1}
  d0 = -0.5 / (m + 1.0)
  e0 = d0 * l_plus_m * (l_plus_m + 1.0)
  order_above = scale(keep(d0), up_next2) + scale(keep(e0), up)              # P_l^{m+1}
  f0 = l_plus_m * (l - m + 1.0) / 2.0
  derivative = scale(keep(f0), order_below) - 0.5 * order_above

  if size > 1:  # order 1: ((l+1) l P_l^0 - P_l^2) / (2 sin)
    degrees = jnp.arange(size, dtype=p.dtype)
    g0 = jnp.einsum("i,ij->ij", (degrees + 1) * degrees, p[0])
    if size > 2:
      g0 = g0 - p[2]
    order_one = jnp.einsum("j,ij->ij", 0.5 / jnp.sqrt(1 - x * x), g0)
    derivative = derivative.at[1].set(order_one).at[1, 0].set(0)
  return derivative


_legendre_derivative = jit(_legendre_derivative_impl)


def _check_arguments(m, n, z):
  """JAX's checks, in its order; returns the (concrete) maximum degree."""
  dtype = lax.dtype(z)
  if dtype not in (np.float32, np.float64):
    raise TypeError(
        f"z.dtype={dtype} is not supported, see docstring for supported types.")
  if z.ndim != 1:
    raise ValueError("z must be a 1D array.")
  m = concrete_or_error(int, m, "Argument m of lpmn.")
  n = concrete_or_error(int, n, "Argument n of lpmn.")
  if m != n:
    raise NotImplementedError("Computations for m!=n are not yet supported.")
  return n


def lpmn(m, n, z):
  """The associated Legendre functions of the first kind P_l^m(z) and their
  derivatives, for all orders and degrees ``0 .. n`` (only ``m == n`` is supported,
  as in JAX): two arrays of shape ``(n + 1, n + 1, len(z))`` indexed
  ``[order, degree, point]``, of ``z``'s dtype (float32 or float64, 1-D).

  Deprecated in JAX (reading ``jax.scipy.special.lpmn`` warns); no replacement.

  >>> from jaxlite.scipy.special_legendre import lpmn
  >>> values, derivatives = lpmn(2, 2, jnp.array([0.5]))
  >>> values[:, :, 0]
  Array([[ 1.       ,  0.5      , -0.125    ],
         [ 0.       , -0.8660254, -1.299038 ],
         [ 0.       ,  0.       ,  2.25     ]], dtype=float32)
  >>> derivatives[:, :, 0]
  Array([[ 0.        ,  1.        ,  1.5       ],
         [ 0.        ,  0.57735026, -1.7320508 ],
         [ 0.        ,  0.        , -3.        ]], dtype=float32)
  """
  l_max = _check_arguments(m, n, z)
  values = _legendre_table(l_max, z, False)
  return values, _legendre_derivative(values, z)


def lpmn_values(m, n, z, is_normalized):
  """The associated Legendre functions of the first kind P_l^m(z) for all orders
  and degrees ``0 .. n`` (only ``m == n`` is supported, as in JAX), shape
  ``(n + 1, n + 1, len(z))`` indexed ``[order, degree, point]``.  With
  ``is_normalized`` each is scaled by sqrt((2l+1)(l-m)! / (4 pi (l+m)!)), the
  factor that makes the spherical harmonics orthonormal.

  Deprecated in JAX (reading ``jax.scipy.special.lpmn_values`` warns); no replacement.

  >>> from jaxlite.scipy.special_legendre import lpmn_values
  >>> lpmn_values(1, 1, jnp.array([0.0, 0.5]), True)
  Array([[[ 0.28209478,  0.28209478],
          [ 0.        ,  0.24430124]],
  <BLANKLINE>
         [[ 0.        ,  0.        ],
          [-0.34549415, -0.2992067 ]]], dtype=float32)
  """
  l_max = _check_arguments(m, n, z)
  return _legendre_table(l_max, z, is_normalized)
