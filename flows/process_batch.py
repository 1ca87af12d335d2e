"""The Prefect flow `process_batch`: thin tasks around `pilot_intake.pipeline`.

Files are analysed in parallel threads (OCR runs in tesseract subprocesses, so
threads give real parallelism); everything else is plain functions.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any, Callable

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import as_completed
from prefect.task_runners import ThreadPoolTaskRunner

from extractors.ingest import BatchFiles, Quarantine, collect
from pilot_intake.models import ExtractedDoc, SourceFile
from pilot_intake.pipeline import (
    BatchResult,
    Services,
    analyse_source,
    assemble_batch,
    check_dependencies,
    learning_scans,
    redact_scan,
    write_batch,
)
from pilot_intake.settings import Settings
from records.writer import redacted_name, reset_redacted

Progress = Callable[[str, int, int | None], None]  # (event, advance, total)


# Inputs are local files and results are in-memory objects: caching or persisting
# them would only copy filings' personal data into Prefect's storage.
@task(name="collect-files", cache_policy=NO_CACHE, persist_result=False)
def collect_files(batch: Path, workdir: Path, settings: Settings) -> BatchFiles:
    return collect(batch, workdir, settings)


@task(name="analyse-file", cache_policy=NO_CACHE, persist_result=False, task_run_name="analyse {source.path}")
def analyse_file(source: SourceFile, workdir: Path, services: Services, workers: int = 1) -> ExtractedDoc | Quarantine:
    return analyse_source(source, workdir, services, workers=workers)


@task(name="assemble-records", cache_policy=NO_CACHE, persist_result=False)
def assemble(docs: list[ExtractedDoc], quarantined: list[Quarantine], services: Services) -> BatchResult:
    return assemble_batch(docs, quarantined, services)


@task(name="burn-redactions", cache_policy=NO_CACHE, persist_result=False, task_run_name="redact {doc.source.path}")
def burn(doc: ExtractedDoc, target: Path) -> Path:
    return redact_scan(doc, target)


@task(name="write-outputs", cache_policy=NO_CACHE, persist_result=False)
def write_outputs(out_dir: Path, result: BatchResult, settings: Settings) -> None:
    write_batch(out_dir, result, settings)


@flow(name="process-batch", persist_result=False, log_prints=False, validate_parameters=False)
def process_batch(batch: Path, out_dir: Path, settings: Settings, progress: Progress | None = None) -> dict[str, Any]:
    """Process one province's batch into OUT_DIR; returns counts for the summary line."""
    started = time.perf_counter()
    report = progress or (lambda event, advance, total: None)
    check_dependencies(settings)
    services = Services.build(settings)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="pilot-intake-") as tmp:
        workdir = Path(tmp)
        files = collect_files(batch, workdir, settings)
        report("files", 0, len(files.sources) + len(files.quarantined))
        report("file", len(files.quarantined), None)

        docs: list[ExtractedDoc] = []
        quarantined: list[Quarantine] = list(files.quarantined)

        def take(out: ExtractedDoc | Quarantine) -> None:
            if isinstance(out, Quarantine):
                quarantined.append(out)
            else:
                docs.append(out)
                report("page", len(out.pages), None)
            report("file", 1, None)

        first: set[str] = set()
        for src in learning_scans(files.sources, services):
            # Inline, one file at a time (see learning_scans), its pages read in waves on all
            # workers: the other cores need not wait for the first file's second page.
            take(analyse_file(src, workdir, services, workers=settings.workers))
            first.add(src.path)
        futures = [analyse_file.submit(src, workdir, services) for src in files.sources if src.path not in first]
        for fut in as_completed(futures):
            take(fut.result())
        docs.sort(key=lambda d: d.source.path)

        result = assemble(docs, quarantined, services)

        redacted_dir = reset_redacted(out_dir)
        taken: set[str] = set()
        jobs = sorted(result.redaction_jobs, key=lambda d: d.source.path)
        report("redact", 0, len(jobs))
        burns = [burn.submit(doc, redacted_dir / redacted_name(doc.source.path, taken)) for doc in jobs]
        for fut in as_completed(burns):
            fut.result()
            report("redacted", 1, None)
        write_outputs(out_dir, result, settings)

    counts = dict(result.counts)
    counts["seconds"] = round(time.perf_counter() - started, 1)
    counts["notes"] = result.notes
    return counts


def run(batch: Path, out_dir: Path, settings: Settings, progress: Progress | None = None) -> dict[str, Any]:
    """Run the flow with as many worker threads as the settings ask for."""
    runner = ThreadPoolTaskRunner(max_workers=settings.workers)
    return process_batch.with_options(task_runner=runner)(batch, out_dir, settings, progress)
