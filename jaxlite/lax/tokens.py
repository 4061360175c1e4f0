"""Tokens: ``lax.create_token`` and ``lax.after_all``.

A token carries no data; it orders side effects. In a jaxpr it has the aval
``core.abstract_token`` (printed ``Tok``), in StableHLO the ``!stablehlo.token``
type. Outside a trace the primitives give a ``core.Token``, which wraps an empty
``bool[0]`` array: the form a token takes when it crosses a jit boundary, as in
JAX.
"""
from __future__ import annotations

__all__ = ['create_token', 'create_token_p', 'after_all', 'after_all_p']

from jaxlite import core
from jaxlite.core import AbstractToken, Token, abstract_token
from jaxlite.interpreters import mlir

create_token_p = core.Primitive('create_token')
create_token_p.def_abstract_eval(lambda *_: abstract_token)

after_all_p = core.Primitive('after_all')


def _after_all_abstract_eval(*avals):
  if any(not isinstance(a, AbstractToken) for a in avals):
    raise TypeError("Arguments to after_all must be tokens")
  return abstract_token


after_all_p.def_abstract_eval(_after_all_abstract_eval)


def _empty_token() -> Token:
  """A fresh concrete token: an empty ``bool[0]`` array placed on the device."""
  import numpy as np
  from jaxlite.runtime.transfer import device_put
  return Token(device_put(np.zeros((0,), np.bool_)))


def _create_token_impl(*_):
  return _empty_token()


def _after_all_impl(*tokens):
  if any(not isinstance(t, Token) for t in tokens):
    raise TypeError("Arguments to after_all must be tokens")
  for t in tokens:   # the new token is ready once all of its operands are
    t.block_until_ready()
  return _empty_token()


create_token_p.def_impl(_create_token_impl)
after_all_p.def_impl(_after_all_impl)

mlir.register_lowering(create_token_p, lambda ctx, *_: mlir.mlir().hlo.create_token())
mlir.register_lowering(after_all_p,
                       lambda ctx, *tokens: mlir.mlir().hlo.after_all(list(tokens)))


def create_token(_=None):
  """A fresh token, with no dependency on anything (the argument is ignored,
  kept for backward compatibility as in JAX).

  >>> import jaxlite
  >>> from jaxlite import lax
  >>> print(jaxlite.make_jaxpr(lambda x: lax.create_token())(1.0))
  { lambda ; a:f32[]. let b:Tok = create_token  in (b,) }
  """
  return create_token_p.bind()


def after_all(*operands):
  """A token that depends on all the tokens ``operands``.

  >>> import jaxlite
  >>> from jaxlite import lax
  >>> f = lambda: lax.after_all(lax.create_token(), lax.create_token())
  >>> print(jaxlite.make_jaxpr(f)())
  { lambda ; . let
      a:Tok = create_token 
      b:Tok = create_token 
      c:Tok = after_all a b
    in (c,) }
  """
  return after_all_p.bind(*operands)
