"""``jaxlite.experimental.sparse``: sparse arrays (BCOO, BCSR, COO, CSR, CSC) whose
operations compose with ``jit``, ``grad`` and ``vmap``.

Example:
  >>> import jaxlite.numpy as jnp
  >>> from jaxlite.experimental import sparse
  >>> M = sparse.BCOO.fromdense(jnp.array([[0., 1.], [2., 0.]]))
  >>> M @ jnp.array([1., 1.])
  Array([1., 2.], dtype=float32)
"""
from jaxlite.experimental.sparse._base import JAXSparse
from jaxlite.experimental.sparse.util import (SparseEfficiencyError, SparseEfficiencyWarning,
                                              CuSparseEfficiencyWarning)
from jaxlite.experimental.sparse.bcoo_convert import (bcoo_todense_p, bcoo_fromdense_p,
                                                      bcoo_extract_p, bcoo_transpose_p)
from jaxlite.experimental.sparse.bcoo_dot import (bcoo_dot_general_p,
                                                  bcoo_dot_general_sampled_p,
                                                  bcoo_dot_general_sampled)
from jaxlite.experimental.sparse.bcoo import (BCOO, bcoo_todense, bcoo_fromdense, bcoo_extract,
                                              bcoo_transpose, bcoo_dot_general)
from jaxlite.experimental.sparse.bcoo_ops import (bcoo_sort_indices, bcoo_sort_indices_p,
                                                  bcoo_sum_duplicates, bcoo_sum_duplicates_p,
                                                  bcoo_multiply_dense, bcoo_reduce_sum,
                                                  bcoo_multiply_sparse)
from jaxlite.experimental.sparse.api import todense, todense_p, empty, eye
from jaxlite.experimental.sparse.ad import grad, value_and_grad, jacfwd, jacrev, jacobian
from jaxlite.experimental.sparse.random import random_bcoo

from jaxlite.experimental.sparse.transform import sparsify, SparseTracer
from jaxlite.experimental.sparse.bcoo_spdot import bcoo_spdot_general_p
from jaxlite.experimental.sparse.bcoo_structural import (bcoo_squeeze, bcoo_rev,
                                                         bcoo_broadcast_in_dim, bcoo_concatenate,
                                                         bcoo_reshape, bcoo_slice,
                                                         bcoo_dynamic_slice)
from jaxlite.experimental.sparse.coo import (COO, coo_todense, coo_todense_p, coo_fromdense,
                                             coo_fromdense_p, coo_matvec, coo_matvec_p,
                                             coo_matmat, coo_matmat_p)
from jaxlite.experimental.sparse.csr import (CSR, CSC, csr_todense, csr_todense_p,
                                             csr_fromdense, csr_fromdense_p, csr_matvec,
                                             csr_matvec_p, csr_matmat, csr_matmat_p)
from jaxlite.experimental.sparse.bcoo_layout import bcoo_update_layout
from jaxlite.experimental.sparse.bcoo_gather_conv import bcoo_gather, bcoo_conv_general_dilated
from jaxlite.experimental.sparse.bcsr_prims import (bcsr_fromdense_p, bcsr_todense_p,
                                                    bcsr_extract_p, bcsr_dot_general_p)
from jaxlite.experimental.sparse.bcsr import (BCSR, bcsr_fromdense, bcsr_todense, bcsr_extract,
                                              bcsr_dot_general, bcsr_sum_duplicates,
                                              bcsr_broadcast_in_dim, bcsr_concatenate)
