"""The NER's matrix products go through numpy's BLAS (`serve_app.phi.ner_ops`): same entities as spaCy's
own ops, same products to float rounding."""

import numpy
import pytest
from thinc.api import NumpyOps

from bench.phi_corpus import generate_corpus
from bench.phi_corpus.external import external_corpus
from serve_app.phi.ner_ops import NumpyBlasOps
from serve_app.phi.nlp import load_ner_pipeline, resolve_model


@pytest.mark.parametrize("trans1", [False, True])
@pytest.mark.parametrize("trans2", [False, True])
@pytest.mark.parametrize("with_out", [False, True])
def test_gemm_matches_thinc(trans1, trans2, with_out):
    rng = numpy.random.default_rng(7)
    x = rng.standard_normal((40, 24) if not trans1 else (24, 40), dtype="float32")
    y = rng.standard_normal((24, 16) if not trans2 else (16, 24), dtype="float32")
    expected = NumpyOps().gemm(x, y, trans1=trans1, trans2=trans2)
    out = numpy.zeros((40, 16), dtype="float32") if with_out else None
    got = NumpyBlasOps().gemm(x, y, out=out, trans1=trans1, trans2=trans2)
    assert got.dtype == numpy.float32 and got.shape == (40, 16)
    if with_out:
        assert got is out
    numpy.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)


def test_pipeline_uses_numpy_blas():
    nlp = load_ner_pipeline(resolve_model("en"))
    assert all(isinstance(node.ops, NumpyBlasOps) for node in nlp.get_pipe("ner").model.walk())


@pytest.mark.parametrize("language", ["en", "fr"])
def test_entities_identical_to_stock_ops(language):
    """The scrubber's NER pipeline with thinc's default ops against the same with numpy's BLAS, on
    generated notes (both languages) and the external corpus's sentences (when installed)."""
    texts = [d.text for d in generate_corpus(80, seed=9090) if d.language == language]
    if language == "en":  # [] where presidio-evaluator (a bench extra) is not installed
        texts += [d.text for d in external_corpus(120, seed=9090)]
    assert len(texts) >= 20
    ours = load_ner_pipeline(resolve_model(language))
    stock = load_ner_pipeline(resolve_model(language))
    for node in stock.get_pipe("ner").model.walk():
        node.ops = NumpyOps()  # thinc's default: products by BLIS

    def entities(nlp):
        return [[(e.start_char, e.end_char, e.label_) for e in doc.ents] for doc in nlp.pipe(texts)]

    assert entities(ours) == entities(stock)
