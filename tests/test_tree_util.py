"""Tests for jaxlite.tree_util and jaxlite.tree, with JAX as the oracle."""
import collections
import dataclasses
import doctest
import functools
import pickle
import subprocess
import sys

import numpy as np
import pytest

from jaxlite import _pytree
from jaxlite import tree
from jaxlite import tree_util as tu

Point = collections.namedtuple("Point", "x y")
Other = collections.namedtuple("Other", "x y")


class Custom:
  """A node registered through register_pytree_node; aux is a string."""

  def __init__(self, a, b, tag="t"):
    self.a, self.b, self.tag = a, b, tag

  def __repr__(self):
    return f"Custom({self.a!r}, {self.b!r}, {self.tag!r})"


def _custom_flatten(c):
  return (c.a, c.b), c.tag


def _custom_unflatten(tag, children):
  return Custom(*children, tag)


tu.register_pytree_node(Custom, _custom_flatten, _custom_unflatten)


class Box:
  """A node registered through register_pytree_node_class."""

  def __init__(self, value):
    self.value = value

  def tree_flatten(self):
    return (self.value,), None

  @classmethod
  def tree_unflatten(cls, aux, children):
    del aux
    return cls(*children)


tu.register_pytree_node_class(Box)


class Keyed:
  """A node registered with keys, so paths name its children."""

  def __init__(self, w, b):
    self.w, self.b = w, b


def _keyed_flatten_with_keys_for(m):
  """Keyed's flatten_with_keys using module ``m``'s key types."""
  def flatten_with_keys(k):
    return ((m.GetAttrKey("w"), k.w), (m.GetAttrKey("b"), k.b)), None
  return flatten_with_keys


def _keyed_unflatten(aux, children):
  return Keyed(*children)


tu.register_pytree_with_keys(Keyed, _keyed_flatten_with_keys_for(tu),
                             _keyed_unflatten)


@dataclasses.dataclass
class Params:
  w: object
  b: object
  name: str = dataclasses.field(default="p", metadata=dict(static=True))


tu.register_dataclass(Params)


@dataclasses.dataclass
class Explicit:
  x: object
  mode: str


tu.register_dataclass(Explicit, data_fields=["x"], meta_fields=["mode"])


class Static:
  def __init__(self, v):
    self.v = v

  def __eq__(self, other):
    return isinstance(other, Static) and self.v == other.v

  def __hash__(self):
    return hash(self.v)

  def __repr__(self):
    return f"Static({self.v})"


tu.register_static(Static)


def _trees():
  x = np.arange(3.0)
  return [
      1, "s", None, (), [], {}, x, (x,), (1, 2, 3), [1, [2, [3, []]]],
      (None, 1, None), {"b": 1, "a": (2, 3), "c": None},
      {"z": [1, {"y": 2}], "x": ()}, {1: "a", 0: "b", -3: "c"},
      Point(1, (2, 3)), Other(1, 2), [Point(Point(1, 2), None)],
      collections.OrderedDict([("z", 1), ("a", 2)]),
      collections.defaultdict(list, {"k": 1, "j": [2]}),
      Custom(1, [2, 3]), Custom(None, Custom(1, 2, "in")), Box((1, 2)),
      Keyed(1, {"a": 2}), Params(1, (2, 3)), Params(1, 2, "q"),
      Explicit([1], "m"), [Static(1), 2], (x, {"a": x, "b": [x, None]}, 3.0),
      ((((1,),),),), [(), [], {}, None],
  ]


TREES = _trees()
TREE_IDS = [f"tree{i}" for i in range(len(TREES))]


@pytest.fixture(scope="module")
def jtu():
  """jax.tree_util with this module's custom nodes registered there too."""
  jax = pytest.importorskip("jax")
  jtu = jax.tree_util
  jtu.register_pytree_node(Custom, _custom_flatten, _custom_unflatten)
  jtu.register_pytree_node_class(Box)
  jtu.register_pytree_with_keys(Keyed, _keyed_flatten_with_keys_for(jtu),
                                _keyed_unflatten)
  jtu.register_dataclass(Params)
  jtu.register_dataclass(Explicit, data_fields=["x"], meta_fields=["mode"])
  jtu.register_static(Static)
  return jtu


def _error(f):
  with pytest.raises(Exception) as info:
    f()
  return type(info.value), str(info.value)


# ---------------------------------------------------------------- JAX oracle

@pytest.mark.parametrize("t", TREES, ids=TREE_IDS)
def test_flatten_matches_jax(jtu, t):
  leaves, treedef = tu.tree_flatten(t)
  jleaves, jtreedef = jtu.tree_flatten(t)
  assert len(leaves) == len(jleaves)
  assert all(a is b for a, b in zip(leaves, jleaves))
  assert repr(treedef) == repr(jtreedef)
  assert str(treedef) == str(jtreedef)
  assert treedef.num_leaves == jtreedef.num_leaves
  assert treedef.num_nodes == jtreedef.num_nodes
  assert tu.treedef_is_leaf(treedef) == jtu.treedef_is_leaf(jtreedef)
  assert len(treedef.children()) == len(jtreedef.children())
  for c, jc in zip(treedef.children(), jtreedef.children()):
    assert repr(c) == repr(jc)
    assert c.node_data() == jc.node_data()
  assert treedef.node_data() == jtreedef.node_data()


@pytest.mark.parametrize("t", TREES, ids=TREE_IDS)
def test_paths_match_jax(jtu, t):
  pairs, treedef = tu.tree_flatten_with_path(t)
  jpairs, jtreedef = jtu.tree_flatten_with_path(t)
  assert repr(treedef) == repr(jtreedef)
  assert [repr(p) for p, _ in pairs] == [repr(p) for p, _ in jpairs]
  assert [tu.keystr(p) for p, _ in pairs] == [jtu.keystr(p) for p, _ in jpairs]
  assert ([tu.keystr(p, simple=True, separator="/") for p, _ in pairs]
          == [jtu.keystr(p, simple=True, separator="/") for p, _ in jpairs])
  assert all(a is b for (_, a), (_, b) in zip(pairs, jpairs))


@pytest.mark.parametrize("t", TREES, ids=TREE_IDS)
def test_is_leaf_matches_jax(jtu, t):
  for is_leaf in [lambda x: isinstance(x, tuple), lambda x: x is None,
                  lambda x: isinstance(x, (list, Custom, dict))]:
    leaves, treedef = tu.tree_flatten(t, is_leaf=is_leaf)
    jleaves, jtreedef = jtu.tree_flatten(t, is_leaf=is_leaf)
    assert all(a is b for a, b in zip(leaves, jleaves))
    assert len(leaves) == len(jleaves)
    assert repr(treedef) == repr(jtreedef)
    pairs = tu.tree_leaves_with_path(t, is_leaf)
    jpairs = jtu.tree_leaves_with_path(t, is_leaf)
    assert [tu.keystr(p) for p, _ in pairs] == [jtu.keystr(p) for p, _ in jpairs]


@pytest.mark.parametrize("t", TREES, ids=TREE_IDS)
def test_equal_treedefs_agree_with_jax(jtu, t):
  for other in TREES:
    ours = tu.tree_structure(t) == tu.tree_structure(other)
    assert ours == (jtu.tree_structure(t) == jtu.tree_structure(other))


KEY_ENTRIES = [("SequenceKey", 3), ("DictKey", "a"), ("DictKey", 1),
               ("GetAttrKey", "x"), ("FlattenedIndexKey", 2)]


@pytest.mark.parametrize("name,arg", KEY_ENTRIES)
def test_key_str_repr_match_jax(jtu, name, arg):
  ours, theirs = getattr(tu, name)(arg), getattr(jtu, name)(arg)
  assert str(ours) == str(theirs)
  assert repr(ours) == repr(theirs)
  assert tu.keystr((ours,), simple=True) == jtu.keystr((theirs,), simple=True)


def _error_cases(m):
  """Calls that fail, written against tree_util module ``m``."""
  tree3 = (1, {"a": 2, "b": [3, None]})
  return [
      lambda: m.tree_unflatten(m.tree_structure(tree3), [1, 2]),
      lambda: m.tree_unflatten(m.tree_structure(tree3), [1, 2, 3, 4]),
      lambda: m.tree_unflatten(m.tree_structure(1), []),
      lambda: m.tree_structure((1, 2)).flatten_up_to([1, 2]),
      lambda: m.tree_structure((1, 2)).flatten_up_to((1, 2, 3)),
      lambda: m.tree_structure((1, 2)).flatten_up_to(3),
      lambda: m.tree_structure([1, 2]).flatten_up_to([1, 2, 3]),
      lambda: m.tree_structure({"a": 1}).flatten_up_to({"b": 1}),
      lambda: m.tree_structure({"a": 1}).flatten_up_to(
          collections.OrderedDict(a=1)),
      lambda: m.tree_structure((1, None)).flatten_up_to((1, 2)),
      lambda: m.tree_structure(Point(1, 2)).flatten_up_to((1, 2)),
      lambda: m.tree_structure(Point(1, 2)).flatten_up_to(Other(1, 2)),
      lambda: m.tree_structure(Custom(1, 2)).flatten_up_to((1, 2)),
      lambda: m.tree_structure(Custom(1, 2)).flatten_up_to(Custom(1, 2, "u")),
      lambda: m.tree_structure(collections.OrderedDict(a=1, b=2)).flatten_up_to(
          collections.OrderedDict(b=1, a=2)),
      lambda: m.tree_map(lambda a, b: a, (1, 2), [1, 2]),
      lambda: m.tree_map(lambda a, b: a, (1, 2), (1, 2, 3)),
      lambda: m.tree_map(lambda a, b: a, (1, 2), None),
      lambda: m.tree_map(lambda a, b: a, {"a": 1}, {"b": 1}),
      lambda: m.tree_map(lambda a, b: a, [1, {"x": 2}], [1, {"x": 2, "y": 3}]),
      lambda: m.tree_map(lambda a, b: a, [1, {"a": (1, 2)}], [1, {"a": (1,)}]),
      lambda: m.tree_map(lambda a, b: a, [None, 2], [3, None]),
      lambda: m.tree_map(lambda a, b: a, Custom(1, 2), Custom(1, 2, "u")),
      lambda: m.tree_map(lambda a, b: a, Point(1, 2), Other(1, 2)),
      lambda: m.tree_flatten({1: 1, "a": 2}),
      lambda: m.tree_reduce(lambda a, b: a + b, []),
      lambda: m.tree_transpose(m.tree_structure([0, 0]),
                               m.tree_structure((0, 0)), [(1, 2, 3), (4, 5, 6)]),
      lambda: m.register_pytree_node(Custom, _custom_flatten, _custom_unflatten),
      lambda: m.flatten_one_level(1),
  ]


@pytest.mark.parametrize("i", range(len(_error_cases(tu))))
def test_errors_match_jax(jtu, i):
  ours = _error(_error_cases(tu)[i])
  theirs = _error(_error_cases(jtu)[i])
  assert ours == theirs


def test_partial_matches_jax(jtu):
  p = tu.Partial(max, 1, key=abs)
  jp = jtu.Partial(max, 1, key=abs)
  assert repr(p) == repr(jp)
  assert repr(tu.tree_structure(p)) == repr(jtu.tree_structure(jp))
  assert tu.tree_leaves(p) == jtu.tree_leaves(jp)
  inner = functools.partial(max, 5)
  assert tu.Partial(inner, 2).args == jtu.Partial(inner, 2).args


def test_transpose_and_broadcast_match_jax(jtu):
  t = [(1, 2, 3), (4, 5, 6)]
  outer, inner = [0, 0], (0, 0, 0)
  assert (tu.tree_transpose(tu.tree_structure(outer), tu.tree_structure(inner), t)
          == jtu.tree_transpose(jtu.tree_structure(outer),
                                jtu.tree_structure(inner), t))
  assert (tu.tree_transpose(tu.tree_structure(outer), None, t)
          == jtu.tree_transpose(jtu.tree_structure(outer), None, t))
  prefix, full = [1, {"a": 2}], [(3, 4), {"a": [5, 6]}]
  assert tu.tree_broadcast(prefix, full) == jtu.tree_broadcast(prefix, full)


def test_all_leaves_matches_jax(jtu):
  for items in [[1, 2], [(1,), 2], [None], [], ["s", np.zeros(2)]]:
    assert tu.all_leaves(items) == jtu.all_leaves(items)
    is_leaf = lambda x: isinstance(x, tuple)
    assert tu.all_leaves(items, is_leaf) == jtu.all_leaves(items, is_leaf)


# ---------------------------------------------------------------- no oracle

@pytest.mark.parametrize("t", TREES, ids=TREE_IDS)
def test_roundtrip(t):
  leaves, treedef = tu.tree_flatten(t)
  rebuilt = tu.tree_unflatten(treedef, leaves)
  assert type(rebuilt) is type(t)
  assert tu.tree_structure(rebuilt) == treedef
  assert all(a is b for a, b in zip(tu.tree_leaves(rebuilt), leaves))
  assert tu.tree_structure(treedef.unflatten(iter(leaves))) == treedef
  assert hash(tu.tree_structure(rebuilt)) == hash(treedef)
  assert pickle.loads(pickle.dumps(treedef)) == treedef


def test_leaf_order_and_repr():
  leaves, treedef = tu.tree_flatten(
      [1, (2, None), {"b": 3, "a": 4}, Point(5, 6)])
  assert leaves == [1, 2, 4, 3, 5, 6]
  assert repr(treedef) == ("PyTreeDef([*, (*, None), {'a': *, 'b': *}, "
                           "CustomNode(namedtuple[Point], [*, *])])")
  assert (treedef.num_leaves, treedef.num_nodes) == (6, 11)
  assert repr(tu.tree_structure((1,))) == "PyTreeDef((*,))"
  assert repr(tu.tree_structure(None)) == "PyTreeDef(None)"
  assert repr(tu.tree_structure(Custom(1, [2]))) == (
      "PyTreeDef(CustomNode(Custom[t], [*, [*]]))")


def test_none_is_an_empty_node():
  assert tu.tree_leaves([None, 1, None]) == [1]
  treedef = tu.tree_structure(None)
  assert (treedef.num_leaves, treedef.num_nodes) == (0, 1)
  assert tu.treedef_is_leaf(treedef)
  assert not tu.treedef_is_strict_leaf(treedef)
  assert tu.tree_unflatten(treedef, []) is None
  assert tu.tree_leaves([None, 1], is_leaf=lambda x: x is None) == [None, 1]


def test_namedtuple_is_not_a_tuple():
  assert tu.tree_structure(Point(1, 2)) != tu.tree_structure((1, 2))
  assert tu.tree_structure(Point(1, 2)) != tu.tree_structure(Other(1, 2))
  assert tu.tree_unflatten(tu.tree_structure(Point(0, 0)), [1, 2]) == Point(1, 2)
  assert type(tu.tree_map(lambda x: x, Point(1, 2))) is Point


def test_dicts():
  assert tu.tree_leaves({"b": 1, "a": 2}) == [2, 1]
  rebuilt = tu.tree_map(lambda x: x, collections.OrderedDict([("z", 1), ("a", 2)]))
  assert list(rebuilt) == ["z", "a"] and type(rebuilt) is collections.OrderedDict
  d = tu.tree_map(lambda x: x * 2, collections.defaultdict(list, {"b": 1, "a": 2}))
  assert type(d) is collections.defaultdict and d.default_factory is list
  assert dict(d) == {"a": 4, "b": 2}
  assert tu.tree_structure({"a": 1}) != tu.tree_structure(
      collections.OrderedDict(a=1))
  # Equal-but-distinct keys rebuild as themselves (1 vs True vs 1.0).
  assert list(tu.tree_map(lambda x: x, {True: 1})) == [True]
  assert type(list(tu.tree_map(lambda x: x, {1.0: 1}))[0]) is float
  with pytest.raises(ValueError, match="sorting pytree dictionary keys"):
    tu.tree_flatten({1: 1, "a": 2})
  assert tu.tree_structure({"a": 1}).node_data() == (dict, ["a"])


def test_unflatten_counts():
  treedef = tu.tree_structure((1, [2, 3]))
  with pytest.raises(ValueError, match="Too few leaves for PyTreeDef; "
                     "expected 3, got 2"):
    treedef.unflatten([1, 2])
  with pytest.raises(ValueError, match="Too many leaves for PyTreeDef; "
                     "expected 3"):
    tu.tree_unflatten(treedef, [1, 2, 3, 4])
  assert tu.tree_unflatten(treedef, (x for x in "abc")) == ("a", ["b", "c"])


def test_flatten_up_to():
  treedef = tu.tree_structure((1, {"a": 2}))
  assert treedef.flatten_up_to(([1, 2], {"a": (3,)})) == [[1, 2], (3,)]
  with pytest.raises(ValueError, match="Tuple arity mismatch: 3 != 2"):
    treedef.flatten_up_to((1, 2, 3))
  with pytest.raises(ValueError, match="Dict key mismatch"):
    treedef.flatten_up_to((1, {"b": 2}))
  with pytest.raises(ValueError, match="Expected None, got 1"):
    tu.tree_structure(None).flatten_up_to(1)
  with pytest.raises(ValueError, match="Custom node type mismatch"):
    tu.tree_structure(Custom(1, 2)).flatten_up_to(Box(1))
  with pytest.raises(ValueError, match="Mismatch custom node data"):
    tu.tree_structure(Custom(1, 2)).flatten_up_to(Custom(1, 2, "other"))


def test_tree_map():
  assert tu.tree_map(lambda x: x + 1, [1, (2, None)]) == [2, (3, None)]
  assert tu.tree_map(lambda x, y: (x, y), [1, 2], [[3], {"a": 4}]) == [
      (1, [3]), (2, {"a": 4})]
  assert tu.tree_map(lambda x: len(x), [(1, 2), [(3,)]],
                     is_leaf=lambda x: isinstance(x, tuple)) == [2, [1]]
  with pytest.raises(ValueError) as info:
    tu.tree_map(lambda a, b: a, [1, {"a": (1, 2)}], [1, {"a": (1,)}])
  message = str(info.value)
  assert message.startswith("pytree structure error: different lengths of "
                            "tuple at key path\n    tree_map tree[1]['a']\n")
  assert "of length 2" in message and "of length 1" in message
  with pytest.raises(ValueError, match="different types at key path"):
    tu.tree_map(lambda a, b: a, (1, 2), [1, 2])


def test_with_path():
  t = {"a": [1, Point(2, 3)], "b": Custom(4, 5), "c": Keyed(6, 7),
       "d": Params(8, 9)}
  paths = [tu.keystr(p) for p, _ in tu.tree_leaves_with_path(t)]
  assert paths == ["['a'][0]", "['a'][1].x", "['a'][1].y",
                   "['b'][<flat index 0>]", "['b'][<flat index 1>]",
                   "['c'].w", "['c'].b", "['d'].w", "['d'].b"]
  pairs, treedef = tu.tree_flatten_with_path(t)
  assert treedef == tu.tree_structure(t)
  assert [x for _, x in pairs] == tu.tree_leaves(t)
  out = tu.tree_map_with_path(lambda p, x: tu.keystr(p, simple=True,
                                                     separator="/"), t)
  assert out["a"][1] == Point("a/1/x", "a/1/y")
  leaves = tu.tree_leaves_with_path(
      [1, (2, 3)], is_leaf=lambda p, x: len(p) == 1, is_leaf_takes_path=True)
  assert [x for _, x in leaves] == [1, (2, 3)]


def test_key_types():
  assert str(tu.SequenceKey(1)) == "[1]"
  assert repr(tu.DictKey("a")) == "DictKey(key='a')"
  assert str(tu.GetAttrKey("x")) == ".x"
  assert str(tu.FlattenedIndexKey(2)) == "[<flat index 2>]"
  assert tu.DictKey("a") == tu.DictKey("a") != tu.DictKey("b")
  assert tu.SequenceKey(0) != 0
  assert hash(tu.GetAttrKey("x")) == hash(tu.GetAttrKey("x"))
  match tu.DictKey("k"):
    case tu.DictKey(key):
      assert key == "k"


def test_registration():
  assert tu.tree_leaves([Custom(1, [2]), Box(3)]) == [1, 2, 3]
  rebuilt = tu.tree_map(lambda x: x * 10, Custom(1, 2, "z"))
  assert (rebuilt.a, rebuilt.b, rebuilt.tag) == (10, 20, "z")
  assert tu.tree_map(lambda x: -x, Params(1, 2, "q")) == Params(-1, -2, "q")
  assert tu.tree_structure(Params(1, 2)).node_data() == (Params, ("p",))
  assert tu.tree_leaves(Explicit(1, "m")) == [1]
  assert tu.tree_leaves([Static(1), 2]) == [2]
  assert tu.tree_structure(Static(1)) != tu.tree_structure(Static(2))
  assert tu.tree_map(lambda x: x, [Static(3)]) == [Static(3)]
  assert tu.is_tree_node(Custom) and not tu.is_tree_node(int)
  with pytest.raises(ValueError, match="Duplicate custom PyTreeDef"):
    tu.register_static(Static)


def test_register_dataclass_validation():
  @dataclasses.dataclass
  class D:
    a: int
    b: int
  with pytest.raises(ValueError, match="Missing fields"):
    tu.register_dataclass(D, data_fields=["a"], meta_fields=[])
  with pytest.raises(TypeError, match="must both be specified"):
    tu.register_dataclass(D, data_fields=["a"])
  with pytest.raises(TypeError, match="nodetype is not a dataclass"):
    tu.register_dataclass(int)
  with pytest.raises(ValueError, match="must not overlap"):
    tu.register_dataclass(object, data_fields=["a"], meta_fields=["a"])


def test_partial():
  p = tu.Partial(lambda a, b, c=0: a + b + c, 1, c=3)
  leaves, treedef = tu.tree_flatten(p)
  assert leaves == [1, 3]
  p2 = tu.tree_unflatten(treedef, [10, 30])
  assert isinstance(p2, tu.Partial) and p2(2) == 42
  assert tu.tree_structure(p) == tu.tree_structure(tu.Partial(p.func, 5, c=6))
  inner = functools.partial(lambda a, b: a - b, 5)
  p3 = tu.Partial(inner, 2)
  assert tu.tree_leaves(p3) == [2] and p3() == 3


def test_reductions_and_helpers():
  assert tu.tree_reduce(lambda a, b: a + b, [1, (2, 3)]) == 6
  assert tu.tree_reduce(lambda a, b: a + b, [], 7) == 7
  with pytest.raises(TypeError):
    tu.tree_reduce(lambda a, b: a + b, [])
  assert tu.tree_reduce_associative(lambda a, b: a + b, [1, 2, 3]) == 6
  with pytest.raises(TypeError, match="Must specify identity"):
    tu.tree_reduce_associative(lambda a, b: a + b, [])
  assert tu.tree_all([True, (1,)]) and not tu.tree_all([True, (0,)])
  assert tu.tree_all([])
  assert tu.tree_all([[0]], is_leaf=lambda x: isinstance(x, list))
  assert tu.tree_transpose(tu.tree_structure([0, 0]), None,
                           [(1, 2), (3, 4)]) == ([1, 3], [2, 4])
  with pytest.raises(TypeError, match="Mismatch"):
    tu.tree_transpose(tu.tree_structure([0]), tu.tree_structure((0,)), [(1, 2)])
  assert tu.tree_broadcast((1, 2), ((0, 0), 0)) == ((1, 1), 2)
  assert tu.all_leaves([1, "a"]) and not tu.all_leaves([1, (2,)])


def test_treedef_api():
  treedef = tu.tree_structure((1, [2, 3]))
  assert tu.treedef_children(treedef) == [tu.tree_structure(1),
                                          tu.tree_structure([2, 3])]
  assert tu.treedef_tuple([tu.tree_structure(1), tu.tree_structure([2])]) == (
      tu.tree_structure((1, [2])))
  assert treedef.node_data() == (tuple, None)
  assert tu.tree_structure(1).node_data() is None
  assert tu.tree_structure([0, 0]).compose(tu.tree_structure((0, 0))) == (
      tu.tree_structure([(0, 0), (0, 0)]))
  assert tu.build_tree(tu.tree_structure({"a": 0, "b": [0]}), [1, [2]]) == {
      "a": 1, "b": [2]}
  assert treedef != tu.tree_structure((1, (2, 3)))
  assert treedef != (1, [2, 3])
  assert len({treedef, tu.tree_structure(("x", ["y", "z"]))}) == 1
  made = tu.PyTreeDef.make_from_node_data_and_children(
      tu.default_registry, (dict, ["a"]), [tu.tree_structure(1)])
  assert made == tu.tree_structure({"a": 0})
  with pytest.raises(TypeError):
    tu.PyTreeDef()


def test_unhashable_aux_data():
  class Holder:
    def __init__(self, x):
      self.x = x
  tu.register_pytree_node(Holder, lambda h: ((h.x,), [1, 2]),
                          lambda aux, ch: Holder(*ch))
  a, b = tu.tree_structure(Holder(1)), tu.tree_structure(Holder(2))
  assert a == b and hash(a) == hash(b)


def test_tree_module_wrappers():
  t = {"a": 1, "b": (2, None)}
  leaves, treedef = tree.flatten(t)
  assert leaves == tree.leaves(t) == [1, 2]
  assert tree.structure(t) == treedef
  assert tree.unflatten(treedef, [3, 4]) == {"a": 3, "b": (4, None)}
  assert tree.map(lambda x, y: x * y, t, t) == {"a": 1, "b": (4, None)}
  assert tree.reduce(lambda a, b: a + b, t) == 3
  assert tree.reduce(lambda a, b: a + b, [], 5) == 5
  assert tree.all(t) and not tree.all([0])
  assert tree.transpose(tree.structure([0, 0]), None, [(1, 2), (3, 4)]) == (
      [1, 3], [2, 4])
  assert [tu.keystr(p) for p, _ in tree.leaves_with_path(t)] == [
      "['a']", "['b'][0]"]
  assert tree.flatten_with_path(t)[1] == treedef
  assert tree.map_with_path(lambda p, x: len(p), t) == {"a": 1, "b": (2, None)}
  assert tree.broadcast([1, 2], [(0, 0), 0]) == [(1, 1), 2]
  assert tree.reduce_associative(lambda a, b: a * b, [2, 3]) == 6
  assert tree.leaves((1, [2]), is_leaf=lambda x: isinstance(x, list)) == [1, [2]]

  @tu.register_dataclass
  @dataclasses.dataclass
  class Op:
    x: float
    kind: str = tree.static(default="add")
  assert tree.leaves(Op(1.0)) == [1.0]
  assert tree.structure(Op(1.0)).node_data() == (Op, ("add",))


@pytest.mark.parametrize("module", [_pytree, tu, tree])
def test_doctests(module):
  result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
  assert result.attempted > 0 and result.failed == 0


def test_never_imports_jax():
  code = ("import sys; import jaxlite.tree_util, jaxlite.tree; "
          "sys.exit(any(m == 'jax' or m.startswith('jax.') for m in sys.modules))")
  assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_tree_leaves_native_flatten_agrees_with_the_python_walk():
  # Once jit has loaded jaxlib, tree_leaves of a list or tuple uses its C++
  # flatten (built-in containers only): the leaves must be the Python walk's,
  # whatever the tree holds (a node registered here among them), and JAX's.
  import jax
  import jaxlite
  from jaxlite.interpreters import pjit
  pjit._cpp_pytree_flatten()
  assert _pytree._native_flatten is not None

  class TupleSub(tuple):
    pass

  class DictSub(dict):
    pass

  registered = [Custom(1, (2, 3)), (Custom([4], None),)]   # not in JAX's registry here
  trees = [
      [1, (2, 3), [4, [5, (6,)]]], (), [], [None, (None, 1)],
      [{"b": 1, "a": 2}, {1: "x", 0: "y"}], [Point(1, (2, 3)), TupleSub((4, 5))],
      [collections.OrderedDict(b=1, a=2), collections.defaultdict(list, b=1, a=2)],
      [DictSub(a=1), [2.0, np.float32(3)]], registered,
      (jaxlite.numpy.ones(2), [jaxlite.numpy.zeros(1)]),
  ]
  for tree in trees:
    walked = []
    _pytree._collect_leaves(tree, walked)
    leaves = tu.tree_leaves(tree)
    assert len(leaves) == len(walked) and all(a is b for a, b in zip(leaves, walked)), tree
    if tree is not registered and tree is not trees[-1]:
      assert [repr(x) for x in leaves] == [repr(x) for x in jax.tree_util.tree_leaves(tree)]
  assert tu.tree_leaves(registered) == [1, 2, 3, 4]   # None: a node without leaves
  loop = [1]
  loop.append(loop)
  with pytest.raises(Exception) as ours:
    tu.tree_leaves(loop)
  with pytest.raises(Exception) as theirs:
    jax.tree_util.tree_leaves(loop)
  assert type(ours.value) is type(theirs.value)


def test_tree_map_native_path_agrees_with_the_python_walk_and_jax():
  # tree_map through jaxlib's C++ flatten/unflatten (installed by jit) must
  # give the Python walk's results, call f once per leaf in the same order,
  # and raise the same errors (JAX's) for trees that do not match.
  import jax
  from jaxlite.interpreters import pjit
  native = pjit._cpp_pytree_flatten()
  _pytree.set_native_flatten(native)
  cases = [
      ((1, {"b": 2, "a": [3, None]}), ()),
      ([Point(1, 2), collections.OrderedDict(z=3, y=4)], ()),
      ({"a": 1, "b": (2, 3)}, ({"a": 10, "b": (20, 30)},)),
      ([1, 2], ([(5, 6), {"k": 7}],)),          # subtrees at leaf positions
      ([Custom(1, 2), 3], ()),                  # a node registered here
      (5, (6,)),
  ]
  bad = [([1, 2], ((1, 2),)), ({"a": 1}, ({"b": 1},)), ([1, 2], ([1, 2, 3],)),
         ((None, 1), ((2, 1),))]

  def run(tree, rest):
    calls = []

    def f(*xs):
      calls.append(xs)
      return len(calls)
    return tu.tree_map(f, tree, *rest), calls

  def error_of(fn, *args):
    try:
      fn(*args)
    except Exception as e:  # noqa: BLE001
      return type(e), str(e)
    return None

  try:
    for tree, rest in cases:
      assert _pytree._native_flatten is native
      with_native = run(tree, rest)
      _pytree.set_native_flatten(None)
      python = run(tree, rest)
      _pytree.set_native_flatten(native)
      assert repr(with_native) == repr(python), tree
      if not any(isinstance(x, Custom) for x in tu.tree_leaves(tree, is_leaf=lambda x: isinstance(x, Custom))):
        theirs = jax.tree_util.tree_map(lambda *xs: len(xs), tree, *rest)
        assert repr(tu.tree_map(lambda *xs: len(xs), tree, *rest)) == repr(theirs)
    for tree, rest in bad:
      ours = error_of(tu.tree_map, lambda *xs: 0, tree, *rest)
      _pytree.set_native_flatten(None)
      python = error_of(tu.tree_map, lambda *xs: 0, tree, *rest)
      _pytree.set_native_flatten(native)
      assert ours == python and ours is not None, (tree, rest)
      theirs = error_of(jax.tree_util.tree_map, lambda *xs: 0, tree, *rest)
      assert ours[0] is theirs[0], (ours, theirs)
  finally:
    _pytree.set_native_flatten(native)
