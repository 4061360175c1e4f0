"""Errors raised by ``jaxlite.linen``, named as flax names them.

Every error is a ``ValueError`` (or ``TypeError`` for a misused API), so code
written against flax that catches those keeps working, and each message names
the variable, the collection and the scope path it concerns.
"""
from __future__ import annotations


class LinenError(ValueError):
  """Base class of the errors raised by ``jaxlite.linen``."""


class ScopeParamShapeError(LinenError):
  """A stored parameter's shape differs from the one its initializer gives.

  >>> 'shape (2, 4)' in str(ScopeParamShapeError('kernel', '/Dense_0', (3, 4), (2, 4)))
  True
  """

  def __init__(self, param_name, scope_path, value_shape, init_shape):
    super().__init__(
        f'Initializer expected to generate shape {init_shape} but got shape '
        f'{value_shape} instead for parameter "{param_name}" in "{scope_path}".')


class ScopeCollectionNotFound(LinenError):
  """A variable was read from a collection that the variables do not hold.

  >>> 'batch_stats' in str(ScopeCollectionNotFound('batch_stats', 'mean', '/'))
  True
  """

  def __init__(self, col_name, var_name, scope_path):
    super().__init__(
        f'Tried to access "{var_name}" from collection "{col_name}" in '
        f'"{scope_path}" but the collection is empty (it is missing from the '
        f'variables; pass it to apply, or make "{col_name}" mutable to create it).')


class ScopeParamNotFoundError(LinenError):
  """A parameter is missing from an immutable, non-empty "params" collection.

  >>> 'kernel' in str(ScopeParamNotFoundError('kernel', '/Dense_0'))
  True
  """

  def __init__(self, param_name, scope_path):
    super().__init__(
        f'Could not find parameter named "{param_name}" in scope "{scope_path}".')


class ScopeVariableNotFoundError(LinenError):
  """A variable is missing from an immutable, non-empty collection.

  >>> 'mean' in str(ScopeVariableNotFoundError('mean', 'batch_stats', '/'))
  True
  """

  def __init__(self, var_name, col_name, scope_path):
    super().__init__(
        f'No Variable named "{var_name}" for collection "{col_name}" exists in '
        f'"{scope_path}".')


class ModifyScopeVariableError(LinenError):
  """A variable of an immutable collection was written.

  >>> 'immutable' in str(ModifyScopeVariableError('batch_stats', 'mean', '/'))
  True
  """

  def __init__(self, col_name, var_name, scope_path):
    super().__init__(
        f'Cannot update variable "{var_name}" in "{scope_path}" because '
        f'collection "{col_name}" is immutable (pass mutable=["{col_name}"]).')


class InvalidRngError(LinenError):
  """An rng stream was requested that was not provided.

  >>> 'dropout' in str(InvalidRngError('Dropout_0 needs PRNG for "dropout"'))
  True
  """


class InvalidScopeError(LinenError):
  """A scope was used after the transformation that created it returned.

  >>> 'no longer valid' in str(InvalidScopeError('Dense_0'))
  True
  """

  def __init__(self, scope_name):
    super().__init__(f'The scope "{scope_name}" is no longer valid (it was used '
                     'outside the init/apply/transformation that created it).')


class ApplyScopeInvalidVariablesTypeError(LinenError, TypeError):
  """The variables given to apply are not a dict of collections.

  >>> 'dict' in str(ApplyScopeInvalidVariablesTypeError())
  True
  """

  def __init__(self):
    super().__init__('The first argument passed to an apply function should be '
                     'a dictionary of collections. Each collection should be a '
                     'dictionary with string keys.')


class ApplyScopeInvalidVariablesStructureError(LinenError):
  """The variables given to apply were wrapped once too often.

  >>> "{'params': {'params'" in str(ApplyScopeInvalidVariablesStructureError({}))
  True
  """

  def __init__(self, variables):
    super().__init__(
        'Expected the first argument passed to an apply function to be a '
        "dictionary containing a 'params' key at the root level, but got "
        "{'params': {'params': ...}}; pass variables, not {'params': variables}. "
        f'Top-level keys: {list(variables.keys())}.')


class NameInUseError(LinenError):
  """Two variables or submodules of one module share a name.

  >>> 'kernel' in str(NameInUseError('param', 'kernel', 'Dense'))
  True
  """

  def __init__(self, key_type, value, module_name):
    super().__init__(f'Could not create {key_type} "{value}" in Module '
                     f'{module_name}: Name in use.')


class AssignSubModuleError(LinenError):
  """A submodule was created outside ``setup`` or an ``@compact`` method.

  >>> 'Dense' in str(AssignSubModuleError('Dense'))
  True
  """

  def __init__(self, cls):
    super().__init__(f'Submodule {cls} must be defined in `setup()` or in a '
                     'method wrapped in `@compact`.')


class SetAttributeFrozenModuleError(LinenError):
  """An attribute of a module was set outside ``setup``.

  >>> 'features' in str(SetAttributeFrozenModuleError('Dense', 'features', 3))
  True
  """

  def __init__(self, module_cls, attr_name, attr_val):
    super().__init__(f"Can't set {attr_name}={attr_val} for Module of type "
                     f'{module_cls}: Module instance is frozen outside of setup '
                     'method.')


class CallCompactUnboundModuleError(LinenError):
  """A method that creates variables was called on an unbound module.

  >>> 'unbound' in str(CallCompactUnboundModuleError())
  True
  """

  def __init__(self):
    super().__init__("Can't call compact methods on unbound modules; use "
                     'init/apply/bind, or construct the module inside a parent.')
