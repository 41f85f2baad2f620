"""The Ray Data pipeline: read -> scrub (CPU actor pool) -> extract (actor pool, GPU in production)
-> write parts. Ray Data's streaming executor runs the stages together with bounded queues between
them, so memory stays flat whatever the input size; its own progress bars show each stage.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from dataclasses import dataclass
from typing import Any

from serve_app.batch.cli import JobSettings
from serve_app.batch.io import NotesDatasource, detect_format, input_files, resolve
from serve_app.batch.output import PartsDatasink
from serve_app.batch.resume import IdRegistry, clean_partial_output, written_ids
from serve_app.batch.stages import ExtractStage, ScrubStage
from serve_app.batch.summary import Summary

logger = logging.getLogger("serve_app.batch")


@dataclass(frozen=True)
class Scale:
    scrub_actors: int
    extract_actors: int
    gpus_per_extractor: float
    batch_size: int
    batches_in_flight: int
    scrub_batch_size: int
    rows_per_part: int


def start_ray(opts: argparse.Namespace) -> bool:
    """Join the cluster (`--ray-address`, else $RAY_ADDRESS as inside a RayJob) or start a private
    local Ray. Returns True for a local one."""
    import ray

    address = opts.ray_address or os.environ.get("RAY_ADDRESS") or "local"
    if address != "local":
        ray.init(address=address, log_to_driver=True)
        return False
    ray.init(
        address="local",
        num_cpus=opts.num_cpus or max(4, os.cpu_count() or 1),
        include_dashboard=False,
        _temp_dir=opts.ray_temp_dir,
    )
    return True


def choose_scale(opts: argparse.Namespace, settings: JobSettings, local: bool) -> Scale:
    """Defaults: one vLLM engine per GPU (or one CPU engine), the CPUs left for scrubbing (one scrub
    actor on a local machine), and extract batches of the engine's max_num_seqs, two in flight per
    actor so the engine always has the next batch queued."""
    import ray

    resources = ray.cluster_resources()
    cpus, gpus = resources.get("CPU", 1.0), resources.get("GPU", 0.0)
    per_extractor = opts.num_gpus_per_extractor
    if per_extractor is None:
        per_extractor = 1.0 if gpus >= 1 else 0.0
    extract_actors = opts.extract_concurrency or (max(1, int(gpus // per_extractor)) if per_extractor else 1)
    scrub_actors = opts.scrub_concurrency or (1 if local else max(1, min(32, int(cpus - extract_actors - 1))))
    return Scale(
        scrub_actors=scrub_actors,
        extract_actors=extract_actors,
        gpus_per_extractor=per_extractor,
        batch_size=opts.batch_size or settings.app.llm.max_num_seqs,
        batches_in_flight=opts.batches_in_flight,
        scrub_batch_size=opts.scrub_batch_size,
        rows_per_part=opts.rows_per_part,
    )


def build_dataset(opts: argparse.Namespace, settings: JobSettings, scale: Scale, registry: Any) -> Any:
    import ray.data

    in_fs, in_path = resolve(opts.input)
    input_format = detect_format(in_fs, in_path) if opts.input_format == "auto" else opts.input_format
    source = NotesDatasource(
        input_files(in_fs, in_path, input_format),
        filesystem=in_fs,
        input_format=input_format,
        id_column=opts.id_column,
        text_column=opts.text_column,
    )
    ds = ray.data.read_datasource(source)
    if opts.limit:
        ds = ds.limit(opts.limit)
    runtime_env = {"env_vars": settings.env_vars} if settings.env_vars else None
    ds = ds.map_batches(
        ScrubStage,
        fn_constructor_kwargs={
            "scrubber_settings": settings.scrubber,
            "max_text_chars": settings.app.ingress.max_text_chars,
            "registry": registry,
        },
        batch_size=scale.scrub_batch_size,
        batch_format="pyarrow",
        zero_copy_batch=True,
        concurrency=scale.scrub_actors,
        num_cpus=1,
    )
    # Streaming re-blocking (no shuffle): a read block can hold thousands of notes, and a map task
    # emits its output only when its whole block is done. Blocks of one extract batch let answers
    # reach the writer batch by batch (progress, and little lost work when a job is killed).
    ds = ds.repartition(target_num_rows_per_block=scale.batch_size)
    extract_args: dict[str, Any] = {"runtime_env": runtime_env} if runtime_env else {}
    ds = ds.map_batches(
        ExtractStage,
        fn_constructor_kwargs={
            "llm_settings": settings.app.llm.model_dump(mode="json"),
            "adapter": opts.adapter,
            "registry": registry,
            "merge_adapter": opts.merge_adapter,
            "merged_model_dir": opts.merged_model_dir,
        },
        batch_size=scale.batch_size,
        batch_format="pyarrow",
        zero_copy_batch=True,
        concurrency=scale.extract_actors,
        num_cpus=1,
        num_gpus=scale.gpus_per_extractor or None,
        max_concurrency=scale.batches_in_flight,
        **extract_args,
    )
    # Parts of a useful size: answers gathered (streaming) into parts of rows_per_part rows.
    return ds.repartition(target_num_rows_per_block=scale.rows_per_part, strict=True)


def run(opts: argparse.Namespace, settings: JobSettings) -> Summary:
    import ray
    import ray.data

    out_fs, out_path = resolve(opts.output)
    out_fs.create_dir(out_path, recursive=True)
    removed = clean_partial_output(out_fs, out_path, opts.format)
    done = written_ids(out_fs, out_path, opts.format)
    local = start_ray(opts)
    try:
        if local:
            from serve_app.local.local_cluster import prepare_embedded_assets

            prepare_embedded_assets(settings.config)  # built once here, not raced by actors
        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = not opts.no_progress
        if opts.limit:
            context.execution_options.preserve_order = True  # the same first N records on a re-run
        scale = choose_scale(opts, settings, local)
        print(
            f"clinserve-batch: {len(done)} ids already in the output, "
            f"{removed} partial files removed; {scale}",
            file=sys.stderr,
            flush=True,
        )
        registry = IdRegistry.remote(done)
        sink = PartsDatasink(opts.output, opts.format)
        start, started_at = time.perf_counter(), time.time()
        build_dataset(opts, settings, scale, registry).write_datasink(sink)
        wall_s = time.perf_counter() - start
        stats = ray.get(registry.stats.remote())
        ready_at = stats.get("extract_ready_at")
        startup_s = max(0.0, min(wall_s, ready_at - started_at)) if ready_at else None
        return Summary.from_counts(sink.counts, stats, wall_s, opts.output, startup_s)
    finally:
        ray.shutdown()
