"""The synthetic note generator behind the medical-ie adapter, and the answer-only label masking."""

from __future__ import annotations

import json
import re

import pytest

from serve_app.extraction import FIELD_NAMES
from training.dataset import IGNORE, answer_text, encode
from training.generator import FIELDS, HELD_OUT_STYLES, generate
from training.scoring import exact_match, grounded, normalise, relaxed_match
from training.vocab_cancers import CANCERS, HELD_OUT_CANCERS

SEED = 2024


@pytest.fixture(scope="module")
def train_notes():
    return generate(SEED, "train", 400)


@pytest.fixture(scope="module")
def test_split():
    return generate(SEED, "test", 200)


def test_fields_are_the_served_fields() -> None:
    assert FIELDS == FIELD_NAMES


def test_deterministic_for_a_seed() -> None:
    a, b = generate(7, "train", 30), generate(7, "train", 30)
    assert [(n.text, n.fields) for n in a] == [(n.text, n.fields) for n in b]
    assert [n.text for n in generate(8, "train", 30)] != [n.text for n in a]
    # A note depends on (seed, split, index) only: a longer draw starts with the same notes.
    assert [n.text for n in generate(7, "train", 10)] == [n.text for n in a[:10]]


def test_held_out_cancer_types_and_styles_never_in_train_or_dev(train_notes) -> None:
    held_names = {
        normalise(name) for c in CANCERS if c.key in HELD_OUT_CANCERS for name in c.en + c.fr if len(name) > 4
    }
    for note in train_notes + generate(SEED, "dev", 100):
        assert note.cancer not in HELD_OUT_CANCERS
        assert note.style not in HELD_OUT_STYLES
        text = normalise(note.text)
        assert not any(name in text for name in held_names), note.text  # not even as a distractor


def test_test_split_holds_out_types_and_templates(test_split) -> None:
    assert len({n.cancer for n in test_split} & HELD_OUT_CANCERS) >= 2
    assert {n.style for n in test_split} & HELD_OUT_STYLES


def test_gold_values_appear_in_the_note(train_notes, test_split) -> None:
    for note in train_notes + test_split:
        for name, value in note.fields.items():
            if value is not None:
                assert grounded(value, note.text), (name, value, note.text)
                assert len(value) <= 120


def test_french_notes_and_absent_fields_are_common(train_notes) -> None:
    french = [n for n in train_notes if n.lang == "fr"]
    assert 0.25 <= len(french) / len(train_notes) <= 0.55
    assert any("réponse" in (n.fields["response"] or "") for n in french)
    for name in FIELDS[1:]:
        nulls = sum(n.fields[name] is None for n in train_notes) / len(train_notes)
        assert 0.25 <= nulls <= 0.9, (name, nulls)
    assert any(all(v is None for v in n.fields.values()) for n in train_notes)  # "rule out" notes


def test_distractors_never_leak_into_gold(train_notes) -> None:
    with_distractors = [n for n in train_notes if n.distractors]
    assert len(with_distractors) >= 40
    for note in with_distractors:
        gold_parts = {normalise(p) for v in note.fields.values() if v for p in v.split(", ")}
        for distractor in note.distractors:
            assert normalise(distractor) not in gold_parts, (distractor, note.fields, note.text)


def test_planted_phi_is_in_the_raw_note(train_notes) -> None:
    assert sum("NAM:" in n.text or "MRN:" in n.text for n in train_notes) > len(train_notes) // 3
    # Every note names its patient after a label, on a header line or opening a one-paragraph summary.
    assert all(re.search(r"^(?:Patient|Nom|Pt|Re): [A-ZÀ-Ý]", n.text, re.MULTILINE) for n in train_notes)


def test_scoring_normalises_case_accents_spacing_and_order() -> None:
    assert exact_match("Réponse Partielle", "reponse partielle")
    assert exact_match("PD-L1 50 %", "PD-L1 50%")
    assert exact_match("bone, liver", "liver, bone")
    assert not exact_match(None, "liver") and exact_match(None, None)
    assert relaxed_match("stage IIIA", "IIIA") and not relaxed_match("IIIA", "IIB")


class _CharTokenizer:
    """One token per character; no special tokens added (like SmolLM2's tokenizer)."""

    eos_token_id = 0

    class _Out:
        def __init__(self, ids: list[int]) -> None:
            self.input_ids = ids

    def __call__(self, text: str, add_special_tokens: bool = True) -> _Out:
        return self._Out([ord(c) % 250 + 1 for c in text])


def test_labels_cover_the_answer_and_eos_only() -> None:
    fields = dict.fromkeys(FIELD_NAMES) | {"cancer_type": "NSCLC", "stage": "IIIA"}
    answer = answer_text(fields)
    assert answer == json.dumps(fields, separators=(",", ":")) and answer.startswith('{"cancer_type":"NSCLC"')
    prompt = "Extract...\nNote: 65 yo with NSCLC\nJSON:"
    ids, labels = encode(_CharTokenizer(), prompt, answer)
    assert len(ids) == len(labels) == len(prompt) + len(answer) + 1
    assert labels[: len(prompt)] == [IGNORE] * len(prompt)
    assert labels[len(prompt) :] == ids[len(prompt) :]
    assert labels[-1] == 0  # EOS is learned: the model stops after the object


def test_loss_is_computed_on_answer_tokens_only() -> None:
    torch = pytest.importorskip("torch")
    pytest.importorskip("peft")
    import torch.nn.functional as F
    from peft import LoraConfig, get_peft_model
    from transformers import LlamaConfig, LlamaForCausalLM

    from training.dataset import Example
    from training.train import TARGET_MODULES, answer_loss, collate

    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=64,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=64,
    )
    model = get_peft_model(LlamaForCausalLM(config), LoraConfig(r=4, target_modules=TARGET_MODULES))
    examples = [
        Example("a", "en", "x", "", {}, [5, 6, 7, 8, 9], [IGNORE, IGNORE, IGNORE, 8, 9]),
        Example("b", "fr", "x", "", {}, [5, 6, 7], [IGNORE, 6, 7]),
    ]
    batch = collate(examples, pad_id=1)
    assert batch["labels"][1].tolist() == [IGNORE, 6, 7, IGNORE, IGNORE]  # padding is not learned
    ours = answer_loss(model, batch)
    logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
    reference = F.cross_entropy(
        logits[:, :-1].reshape(-1, 64), batch["labels"][:, 1:].reshape(-1), ignore_index=IGNORE
    )
    assert torch.allclose(ours, reference, atol=1e-5)
    ours.backward()
    assert all(p.grad is not None for n, p in model.named_parameters() if p.requires_grad)


def test_training_prompt_is_the_served_prompt() -> None:
    from serve_app.config import load_app_args
    from training.serve_bridge import LOCAL_CONFIG, prompt_spec

    served = load_app_args(LOCAL_CONFIG).llm.prompt_for("medical-ie")
    assert prompt_spec() == (served.template, served.instruction)
