"""Training pipeline for the local `medical-ie` LoRA adapter (not part of the serving image).

Modules, one job each:
- `vocab_cancers`, `vocab_phrases`: the clinical vocabulary (English and Quebec French).
- `phi_fakes`: seeded fake identities (names, dates, NAM, MRN, phones, addresses).
- `generator`: seeded synthetic oncology notes with their gold fields.
- `splits`: train / dev / test with held-out cancer types and writing templates.
- `serve_bridge`: the one place that imports the serving code (config, prompt, engine).
- `dataset`: scrub + render + tokenise, cached under build/.
- `train`: PEFT LoRA supervised fine-tuning (resumable).
- `scoring`: field accuracy / absent-field precision, shared by the bench and the tests.
- `card`: the adapter card.
- `cli`: `python -m training ...`.
"""
