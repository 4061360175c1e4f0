"""A small library of first-order optimizers, as JAX's ``example_libraries.optimizers``.

An optimizer is a triple of pure functions ``(init_fun, update_fun, get_params)``:

  * ``init_fun(params) -> opt_state``
  * ``update_fun(step, grads, opt_state) -> opt_state``
  * ``get_params(opt_state) -> params``

``params`` and ``grads`` are any pytrees of arrays with the same structure;
``opt_state`` is an ``OptimizerState``, itself a pytree, so the whole update
can be jitted:

  >>> import jaxlite as jax, jaxlite.numpy as jnp
  >>> from jaxlite.example_libraries import optimizers
  >>> opt_init, opt_update, get_params = optimizers.sgd(0.1)
  >>> state = opt_init({'w': jnp.ones(2)})
  >>> state = jax.jit(opt_update)(0, {'w': jnp.ones(2)}, state)
  >>> get_params(state)['w']
  Array([0.9, 0.9], dtype=float32)

Each optimizer is written for a single array and lifted to pytrees by the
``optimizer`` decorator; step sizes may be constants or schedules
(functions of the step number).
"""
from __future__ import annotations

import functools
from collections import namedtuple
from typing import Any, Callable, NamedTuple

from jaxlite import numpy as jnp
from jaxlite.tree_util import (register_pytree_node, tree_flatten, tree_map,
                               tree_unflatten)
from jaxlite.util import safe_map, safe_zip, unzip2

# JAX's module rebinds map/zip to the length-checking versions.
map = safe_map
zip = safe_zip

__all__ = [
    "OptimizerState", "Optimizer", "optimizer", "sgd", "momentum", "nesterov", "adagrad",
    "rmsprop", "rmsprop_momentum", "adam", "adamax", "sm3", "constant",
    "exponential_decay", "inverse_time_decay", "polynomial_decay", "piecewise_constant",
    "make_schedule", "l2_norm", "clip_grads", "JoinPoint", "unpack_optimizer_state",
    "pack_optimizer_state",
]

# The state of a pytree optimizer: one flat list of leaves per parameter leaf
# ("packed_state"), the parameters' tree structure, and the structure of each
# per-parameter state. Only the leaves are children of the pytree, so the
# state passes through jit, and the structures stay static.
OptimizerState = namedtuple("OptimizerState", ["packed_state", "tree_def", "subtree_defs"])
register_pytree_node(
    OptimizerState,
    lambda state: ((state.packed_state,), (state.tree_def, state.subtree_defs)),
    lambda aux, children: OptimizerState(children[0], aux[0], aux[1]))

Array = Any
Params = Any
State = Any
Updates = Params
Step = int
Schedule = Callable[[Step], float]
InitFn = Callable[[Params], OptimizerState]
UpdateFn = Callable[[Step, Updates, OptimizerState], OptimizerState]
ParamsFn = Callable[[OptimizerState], Params]


class Optimizer(NamedTuple):
  init_fn: InitFn
  update_fn: UpdateFn
  params_fn: ParamsFn


def _unzip2(pairs):
  firsts, seconds = [], []
  for a, b in pairs:
    firsts.append(a)
    seconds.append(b)
  return firsts, seconds


def optimizer(opt_maker: Callable[..., tuple[Callable, Callable, Callable]]
              ) -> Callable[..., Optimizer]:
  """Lifts an optimizer written for one array to pytrees of arrays.

  ``opt_maker(*args)`` returns ``(init, update, get_params)`` acting on one
  array; the decorated maker returns an ``Optimizer`` whose functions take
  pytrees and keep their state in an ``OptimizerState``.

  Args:
    opt_maker: a function returning an ``(init, update, get_params)`` triple
      for single arrays; the per-array state may be any pytree.

  Returns:
    A function with ``opt_maker``'s signature returning an ``Optimizer``.

  Example:
    >>> import jaxlite.numpy as jnp
    >>> @optimizer
    ... def halve():
    ...   return (lambda x: x), (lambda i, g, x: x / 2), (lambda x: x)
    >>> init, update, get = halve()
    >>> get(update(0, [1.0], init([jnp.float32(4.0)])))
    [Array(2., dtype=float32)]
  """
  @functools.wraps(opt_maker)
  def tree_opt_maker(*args, **kwargs):
    init, update, get_params = opt_maker(*args, **kwargs)

    @functools.wraps(init)
    def tree_init(x0_tree):
      x0_flat, tree = tree_flatten(x0_tree)
      states_flat, subtrees = _unzip2(tree_flatten(init(x0)) for x0 in x0_flat)
      return OptimizerState(states_flat, tree, subtrees)

    @functools.wraps(update)
    def tree_update(i, grad_tree, opt_state):
      states_flat, tree, subtrees = opt_state
      grad_flat, grad_tree_def = tree_flatten(grad_tree)
      if grad_tree_def != tree:
        raise TypeError(
            "optimizer update function was passed a gradient tree that did not match "
            "the parameter tree structure with which it was initialized: parameter "
            f"tree {tree} and grad tree {grad_tree_def}.")
      states = [tree_unflatten(s, leaves) for s, leaves in zip(subtrees, states_flat)]
      new_states = [update(i, g, s) for g, s in zip(grad_flat, states)]
      new_flat, new_subtrees = _unzip2(tree_flatten(s) for s in new_states)
      for before, after in zip(subtrees, new_subtrees):
        if after != before:
          raise TypeError(
              "optimizer update function produced an output structure that did not "
              f"match its input structure: input {before} and output {after}.")
      return OptimizerState(new_flat, tree, subtrees)

    @functools.wraps(get_params)
    def tree_get_params(opt_state):
      states_flat, tree, subtrees = opt_state
      states = [tree_unflatten(s, leaves) for s, leaves in zip(subtrees, states_flat)]
      return tree_unflatten(tree, [get_params(s) for s in states])

    return Optimizer(tree_init, tree_update, tree_get_params)
  return tree_opt_maker


# --- optimizers ----------------------------------------------------------------------------


@optimizer
def sgd(step_size):
  """Stochastic gradient descent: ``x <- x - step_size(i) * g``.

  Args:
    step_size: a positive scalar, or a schedule mapping the step to a scalar.

  Returns:
    An ``(init_fun, update_fun, get_params)`` triple.

  Example:
    >>> import jaxlite.numpy as jnp
    >>> init, update, get = sgd(0.5)
    >>> get(update(0, jnp.ones(2), init(jnp.zeros(2))))
    Array([-0.5, -0.5], dtype=float32)
  """
  step_size = make_schedule(step_size)
  def init(x0):
    return x0
  def update(i, g, x):
    return x - step_size(i) * g
  def get_params(x):
    return x
  return init, update, get_params


@optimizer
def momentum(step_size: Schedule, mass: float):
  """Gradient descent with heavy-ball momentum.

  ``v <- mass * v + g``, then ``x <- x - step_size(i) * v``.

  Args:
    step_size: a positive scalar, or a schedule mapping the step to a scalar.
    mass: the momentum coefficient.

  Returns:
    An ``(init_fun, update_fun, get_params)`` triple.

  Example:
    >>> import jaxlite.numpy as jnp
    >>> init, update, get = momentum(0.1, mass=0.9)
    >>> get(update(0, jnp.ones(1), init(jnp.zeros(1))))
    Array([-0.1], dtype=float32)
  """
  step_size = make_schedule(step_size)
  def init(x0):
    return x0, jnp.zeros_like(x0)
  def update(i, g, state):
    x, velocity = state
    velocity = mass * velocity + g
    return x - step_size(i) * velocity, velocity
  def get_params(state):
    return state[0]
  return init, update, get_params


@optimizer
def nesterov(step_size: Schedule, mass: float):
  """Gradient descent with Nesterov momentum.

  ``v <- mass * v + g``, then ``x <- x - step_size(i) * (mass * v + g)``.

  Args:
    step_size: a positive scalar, or a schedule mapping the step to a scalar.
    mass: the momentum coefficient.

  Returns:
    An ``(init_fun, update_fun, get_params)`` triple.

  Example:
    >>> import jaxlite.numpy as jnp
    >>> init, update, get = nesterov(0.1, mass=0.5)
    >>> get(update(0, jnp.ones(1), init(jnp.zeros(1))))
    Array([-0.15], dtype=float32)
  """
  step_size = make_schedule(step_size)
  def init(x0):
    return x0, jnp.zeros_like(x0)
  def update(i, g, state):
    x, velocity = state
    velocity = mass * velocity + g
    return x - step_size(i) * (mass * velocity + g), velocity
  def get_params(state):
    return state[0]
  return init, update, get_params


@optimizer
def adagrad(step_size, momentum=0.9):
  """Adagrad (Duchi et al., 2011) with momentum on the scaled gradient.

  Args:
    step_size: a positive scalar, or a schedule mapping the step to a scalar.
    momentum: the momentum coefficient (default 0.9).

  Returns:
    An ``(init_fun, update_fun, get_params)`` triple.

  Example:
    >>> import jaxlite.numpy as jnp
    >>> init, update, get = adagrad(1.0)
    >>> get(update(0, jnp.full(1, 2.0), init(jnp.zeros(1))))
    Array([-0.1], dtype=float32)
  """
  step_size = make_schedule(step_size)
  def init(x0):
    return x0, jnp.zeros_like(x0), jnp.zeros_like(x0)
  def update(i, g, state):
    x, g_sq, m = state
    g_sq = g_sq + jnp.square(g)
    # Never-seen coordinates (zero accumulator) take no step instead of NaN.
    g_sq_inv_sqrt = jnp.where(g_sq > 0, 1. / jnp.sqrt(g_sq), 0.0)
    m = (1. - momentum) * (g * g_sq_inv_sqrt) + momentum * m
    return x - step_size(i) * m, g_sq, m
  def get_params(state):
    return state[0]
  return init, update, get_params


@optimizer
def rmsprop(step_size, gamma=0.9, eps=1e-8):
  """RMSProp: steps scaled by a running root mean square of the gradients.

  Args:
    step_size: a positive scalar, or a schedule mapping the step to a scalar.
    gamma: the decay of the running mean of squared gradients.
    eps: added under the square root for numerical stability.

  Returns:
    An ``(init_fun, update_fun, get_params)`` triple.

  Example:
    >>> import jaxlite.numpy as jnp
    >>> init, update, get = rmsprop(0.1, gamma=0.0)
    >>> get(update(0, jnp.full(1, 3.0), init(jnp.zeros(1))))
    Array([-0.1], dtype=float32)
  """
  step_size = make_schedule(step_size)
  def init(x0):
    return x0, jnp.zeros_like(x0)
  def update(i, g, state):
    x, avg_sq_grad = state
    avg_sq_grad = avg_sq_grad * gamma + jnp.square(g) * (1. - gamma)
    return x - step_size(i) * g / jnp.sqrt(avg_sq_grad + eps), avg_sq_grad
  def get_params(state):
    return state[0]
  return init, update, get_params


@optimizer
def rmsprop_momentum(step_size, gamma=0.9, eps=1e-8, momentum=0.9):
  """RMSProp with momentum on the scaled step.

  Args:
    step_size: a positive scalar, or a schedule mapping the step to a scalar.
    gamma: the decay of the running mean of squared gradients.
    eps: added under the square root for numerical stability.
    momentum: the momentum coefficient.

  Returns:
    An ``(init_fun, update_fun, get_params)`` triple.

  Example:
    >>> import jaxlite.numpy as jnp
    >>> init, update, get = rmsprop_momentum(0.1, gamma=0.0)
    >>> get(update(0, jnp.full(1, 3.0), init(jnp.zeros(1))))
    Array([-0.1], dtype=float32)
  """
  step_size = make_schedule(step_size)
  def init(x0):
    return x0, jnp.zeros_like(x0), jnp.zeros_like(x0)
  def update(i, g, state):
    x, avg_sq_grad, mom = state
    avg_sq_grad = avg_sq_grad * gamma + jnp.square(g) * (1. - gamma)
    mom = momentum * mom + step_size(i) * g / jnp.sqrt(avg_sq_grad + eps)
    return x - mom, avg_sq_grad, mom
  def get_params(state):
    return state[0]
  return init, update, get_params


@optimizer
def adam(step_size, b1=0.9, b2=0.999, eps=1e-8):
  """Adam (Kingma and Ba, 2014): bias-corrected first and second moments.

  Args:
    step_size: a positive scalar, or a schedule mapping the step to a scalar.
    b1: the decay of the first-moment estimate (default 0.9).
    b2: the decay of the second-moment estimate (default 0.999).
    eps: added to the denominator for numerical stability.

  Returns:
    An ``(init_fun, update_fun, get_params)`` triple.

  Example:
    >>> import jaxlite.numpy as jnp
    >>> init, update, get = adam(0.1)
    >>> get(update(0, jnp.full(1, 5.0), init(jnp.zeros(1))))
    Array([-0.09999933], dtype=float32)
  """
  step_size = make_schedule(step_size)
  def init(x0):
    return x0, jnp.zeros_like(x0), jnp.zeros_like(x0)
  def update(i, g, state):
    x, m, v = state
    m = (1 - b1) * g + b1 * m
    v = (1 - b2) * jnp.square(g) + b2 * v
    # Bias corrections in the moments' dtype, so float32 states stay float32.
    m_hat = m / (1 - jnp.asarray(b1, m.dtype) ** (i + 1))
    v_hat = v / (1 - jnp.asarray(b2, m.dtype) ** (i + 1))
    return x - step_size(i) * m_hat / (jnp.sqrt(v_hat) + eps), m, v
  def get_params(state):
    return state[0]
  return init, update, get_params


@optimizer
def adamax(step_size, b1=0.9, b2=0.999, eps=1e-8):
  """AdaMax: Adam with the infinity norm in place of the second moment.

  Args:
    step_size: a positive scalar, or a schedule mapping the step to a scalar.
    b1: the decay of the first-moment estimate (default 0.9).
    b2: the decay of the weighted infinity norm (default 0.999).
    eps: added to the denominator for numerical stability.

  Returns:
    An ``(init_fun, update_fun, get_params)`` triple.

  Example:
    >>> import jaxlite.numpy as jnp
    >>> init, update, get = adamax(0.1)
    >>> get(update(0, jnp.full(1, 5.0), init(jnp.zeros(1))))
    Array([-0.09999998], dtype=float32)
  """
  step_size = make_schedule(step_size)
  def init(x0):
    return x0, jnp.zeros_like(x0), jnp.zeros_like(x0)
  def update(i, g, state):
    x, m, u = state
    m = (1 - b1) * g + b1 * m
    u = jnp.maximum(b2 * u, jnp.abs(g))
    correction = 1 - jnp.asarray(b1, m.dtype) ** (i + 1)
    return x - (step_size(i) / correction) * m / (u + eps), m, u
  def get_params(state):
    return state[0]
  return init, update, get_params


@optimizer
def sm3(step_size, momentum=0.9):
  """SM3 (Anil et al., 2019): memory-efficient adaptive steps.

  The accumulator of squared gradients is kept as one vector per axis; the
  per-entry accumulator is the minimum over the axes' vectors.

  Args:
    step_size: a positive scalar, or a schedule mapping the step to a scalar.
    momentum: the momentum coefficient (default 0.9).

  Returns:
    An ``(init_fun, update_fun, get_params)`` triple.

  Example:
    >>> import jaxlite.numpy as jnp
    >>> init, update, get = sm3(1.0)
    >>> get(update(0, jnp.full((1, 1), 2.0), init(jnp.zeros((1, 1)))))
    Array([[-0.1]], dtype=float32)
  """
  step_size = make_schedule(step_size)

  def along_axis(ndim, vector, axis):
    # Index that broadcasts a per-axis vector against the full array. Slice
    # assignment, so a scalar's gradient (ndim 0) keeps its state's length-1 axis.
    index = [None] * ndim
    index[axis:axis + 1] = [slice(None)]
    return vector[tuple(index)]

  def init(x0):
    x_shape = x0.shape
    x0 = jnp.atleast_1d(x0)
    vs = [jnp.zeros(size, dtype=x0.dtype) for size in x0.shape]
    return x0, jnp.zeros_like(x0), vs, x_shape

  def update(i, g, state):
    x, m, vs, x_shape = state
    vs = [along_axis(g.ndim, v, axis) for axis, v in enumerate(vs)]
    accum = functools.reduce(jnp.minimum, vs) + jnp.square(g)
    accum_inv_sqrt = jnp.where(accum > 0, 1. / jnp.sqrt(accum), 0)
    m = (1. - momentum) * (g * accum_inv_sqrt) + momentum * m
    x = x - step_size(i) * m
    vs = [accum.max(tuple(a for a in range(x.ndim) if a != axis)) for axis in range(x.ndim)]
    return x, m, vs, x_shape

  def get_params(state):
    x, _, _, x_shape = state
    return x.reshape(x_shape)

  return init, update, get_params


# --- step-size schedules -------------------------------------------------------------------


def constant(step_size) -> Schedule:
  """The schedule that is ``step_size`` at every step.

  Example:
    >>> constant(0.1)(100)
    0.1
  """
  def schedule(i):
    return step_size
  return schedule


def exponential_decay(step_size, decay_steps, decay_rate):
  """``step_size * decay_rate ** (i / decay_steps)``.

  Example:
    >>> float(exponential_decay(1.0, 10, 0.5)(10))
    0.5
  """
  def schedule(i):
    return step_size * decay_rate ** (i / decay_steps)
  return schedule


def inverse_time_decay(step_size, decay_steps, decay_rate, staircase=False):
  """``step_size / (1 + decay_rate * i / decay_steps)``, the ratio floored if
  ``staircase``.

  Example:
    >>> float(inverse_time_decay(1.0, 10, 1.0, staircase=True)(15))
    0.5
  """
  if staircase:
    def schedule(i):
      return step_size / (1 + decay_rate * jnp.floor(i / decay_steps))
  else:
    def schedule(i):
      return step_size / (1 + decay_rate * i / decay_steps)
  return schedule


def polynomial_decay(step_size, decay_steps, final_step_size, power=1.0):
  """Decays from ``step_size`` to ``final_step_size`` over ``decay_steps`` steps
  as ``(1 - i / decay_steps) ** power``, then stays at ``final_step_size``.

  Example:
    >>> float(polynomial_decay(1.0, 10, 0.0)(5))
    0.5
  """
  def schedule(step_num):
    step_num = jnp.minimum(step_num, decay_steps)
    step_mult = (1 - step_num / decay_steps) ** power
    return step_mult * (step_size - final_step_size) + final_step_size
  return schedule


def piecewise_constant(boundaries: Any, values: Any):
  """``values[k]`` for steps ``i`` with ``k`` boundaries below ``i``.

  Args:
    boundaries: increasing step numbers, one fewer than ``values``.
    values: the step size on each interval.

  Example:
    >>> s = piecewise_constant([10, 20], [1.0, 0.5, 0.25])
    >>> float(s(5)), float(s(15)), float(s(25))
    (1.0, 0.5, 0.25)
  """
  boundaries = jnp.array(boundaries)
  values = jnp.array(values)
  if not boundaries.ndim == values.ndim == 1:
    raise ValueError("boundaries and values must be sequences")
  if not boundaries.shape[0] == values.shape[0] - 1:
    raise ValueError("boundaries length must be one shorter than values length")
  def schedule(i):
    return values[jnp.sum(i > boundaries)]
  return schedule


def make_schedule(scalar_or_schedule: float | Schedule) -> Schedule:
  """A schedule from a schedule (returned as is) or a scalar (made constant).

  Example:
    >>> make_schedule(0.1)(7)
    0.1
  """
  if callable(scalar_or_schedule):
    return scalar_or_schedule
  if jnp.ndim(scalar_or_schedule) == 0:
    return constant(scalar_or_schedule)
  raise TypeError(type(scalar_or_schedule))


# --- utilities ---------------------------------------------------------------------------


def l2_norm(tree):
  """The l2 norm of all the leaves of ``tree`` taken together, as one vector.

  Example:
    >>> import jaxlite.numpy as jnp
    >>> l2_norm({'a': jnp.array([3.0]), 'b': jnp.array([4.0])})
    Array(5., dtype=float32)
  """
  leaves, _ = tree_flatten(tree)
  return jnp.sqrt(sum(jnp.vdot(x, x) for x in leaves))


def clip_grads(grad_tree, max_norm):
  """Scales ``grad_tree`` down so its ``l2_norm`` is at most ``max_norm``.

  Example:
    >>> import jaxlite.numpy as jnp
    >>> clip_grads([jnp.array([3.0, 4.0])], 1.0)
    [Array([0.6, 0.8], dtype=float32)]
  """
  norm = l2_norm(grad_tree)
  def normalize(g):
    return jnp.where(norm < max_norm, g, g * (max_norm / norm))
  return tree_map(normalize, grad_tree)


# --- serialization -----------------------------------------------------------------------


class JoinPoint:
  """Marks the boundary between the parameters' tree and one leaf's state tree."""

  def __init__(self, subtree):
    self.subtree = subtree

  # Look iterable, as containers of arrays do, so pickling code can walk it.
  def __iter__(self):
    yield self.subtree


def unpack_optimizer_state(opt_state):
  """Converts an ``OptimizerState`` to one nested pytree of Python containers.

  The result (leaves wrapped in ``JoinPoint``) can be pickled and turned back
  into a state with ``pack_optimizer_state``.

  Example:
    >>> import jaxlite.numpy as jnp
    >>> init, _, _ = momentum(0.1, 0.9)
    >>> marked = unpack_optimizer_state(init({'w': jnp.ones(1)}))
    >>> type(marked['w']).__name__
    'JoinPoint'
  """
  states_flat, tree_def, subtree_defs = opt_state
  subtrees = [tree_unflatten(s, leaves) for s, leaves in zip(subtree_defs, states_flat)]
  return tree_unflatten(tree_def, [JoinPoint(s) for s in subtrees])


def pack_optimizer_state(marked_pytree):
  """The inverse of ``unpack_optimizer_state``.

  Example:
    >>> import jaxlite.numpy as jnp
    >>> init, _, get = momentum(0.1, 0.9)
    >>> state = pack_optimizer_state(unpack_optimizer_state(init([jnp.ones(1)])))
    >>> get(state)
    [Array([1.], dtype=float32)]
  """
  sentinels, tree_def = tree_flatten(marked_pytree)
  for s in sentinels:
    if not isinstance(s, JoinPoint):
      raise TypeError("pack_optimizer_state expects a pytree whose leaves are "
                      f"JoinPoints (from unpack_optimizer_state), got a leaf {s!r}")
  states_flat, subtree_defs = _unzip2(tree_flatten(s.subtree) for s in sentinels)
  return OptimizerState(states_flat, tree_def, subtree_defs)
