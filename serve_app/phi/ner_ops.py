"""Matrix products for spaCy's NER through numpy's BLAS (OpenBLAS in the numpy wheel).

spaCy's layers call `ops.gemm`, which thinc's `NumpyOps` hands to BLIS. BLIS picks its kernels from the
CPU model at import and falls back to portable C on CPUs it does not know: on this project's build
machine (AMD EPYC, family 25) it logs `libblis: selecting sub-configuration 'generic'` under
`BLIS_ARCH_DEBUG=1`, and a (120 x 288) x (288 x 288) product takes 590 us against numpy's 220 us, single
thread. The NER's token-to-vector CNN is mostly such products (a fifth of a scrub of a clinical note).
The same products to float rounding: the NER's entities are identical either way on every benchmark
corpus, and `tests/phi/test_ner_ops.py` compares them on a sample in both languages. The transition loop
keeps thinc's C-level BLAS (`ops.cblas()`): its products are tiny and cannot be reached from Python.
"""

from __future__ import annotations

from typing import Any

import numpy
from spacy.language import Language
from thinc.api import NumpyOps


class NumpyBlasOps(NumpyOps):
    """`NumpyOps` with `gemm` done by `numpy.matmul`."""

    name = "numpy-blas"

    def gemm(
        self,
        x: Any,
        y: Any,
        out: Any | None = None,
        trans1: bool = False,
        trans2: bool = False,
    ) -> Any:
        a = x.T if trans1 else x
        b = y.T if trans2 else y
        if out is None:
            return numpy.matmul(a, b)
        numpy.matmul(a, b, out=out)
        return out


def use_numpy_blas(nlp: Language) -> None:
    """Route the matrix products of every trainable component of `nlp` through `NumpyBlasOps`."""
    set_ops(nlp, NumpyBlasOps())


def set_ops(nlp: Language, ops: NumpyOps) -> None:
    """Give every layer of every trainable component of `nlp` these ops."""
    for _, component in nlp.pipeline:
        model = getattr(component, "model", None)
        if model is None:
            continue
        for node in model.walk():
            node.ops = ops
