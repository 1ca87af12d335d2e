"""`pilot-intake`: the command line. Only this module maps errors to exit codes."""

from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from pilot_intake.errors import PilotIntakeError, UsageError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Intake pipeline for reserve pilot-scale platform filings (储备中试平台).")


def _fail(console: Console, message: str, code: int) -> None:
    console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


@app.command()
def process(
    batch: Path = typer.Argument(..., help="A folder or a .zip of one province's upload."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder (records.jsonl, review.xlsx, redacted/)."),
    db: Optional[str] = typer.Option(None, "--db", help="Records store URL (default: SQLite file in OUT_DIR)."),
    workers: Optional[int] = typer.Option(None, "--workers", "-w", min=1, help="Files processed in parallel (default: CPU count)."),
    round_: Optional[str] = typer.Option(None, "--round", help="Submission round, e.g. 2026Q4 or 2026-12 (default: from the fill dates)."),
    registry: Optional[Path] = typer.Option(None, "--registry", help="Reserve-pool registry (CSV/xlsx) for the 3-year re-application ban."),
    holidays: Optional[Path] = typer.Option(None, "--holidays", help="Holidays file for years the installed calendar does not know."),
    ocr_engine: Optional[str] = typer.Option(None, "--ocr-engine",
                                             help="tesseract, rapidocr or tesseract+rapidocr (default: the best measured one installed)."),
    show_traceback: bool = typer.Option(False, "--traceback", help="Show the full traceback on failure."),
) -> None:
    """Process one batch into OUT_DIR."""
    err = Console(stderr=True)
    try:
        if ocr_engine is not None:
            from extractors.ocr import ENGINES

            if ocr_engine not in ENGINES:
                raise UsageError(f"--ocr-engine must be one of {', '.join(ENGINES)}, not {ocr_engine!r}")
        _process(batch, out, db, workers, round_, registry, holidays, err, show_traceback, ocr_engine)
    except typer.Exit:
        raise
    except PilotIntakeError as exc:
        if show_traceback:
            traceback.print_exc()
        _fail(err, str(exc), exc.exit_code)
    except KeyboardInterrupt:
        _fail(err, "interrupted", 130)
    except Exception as exc:  # noqa: BLE001 - the CLI's one place to turn a crash into a one-line reason
        if show_traceback:
            traceback.print_exc()
        _fail(err, f"pipeline failure: {type(exc).__name__}: {exc} (run again with --traceback for details)", 1)


def _settings(**overrides):
    from pilot_intake.settings import Settings

    return Settings(**{k: v for k, v in overrides.items() if v is not None})


def _process(batch, out, db, workers, round_, registry, holidays, err: Console, verbose: bool,
             ocr_engine: str | None = None) -> None:
    if not batch.exists():
        raise UsageError(f"batch not found: {batch}")
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out must be a folder: {out}")
    for opt, path in (("--registry", registry), ("--holidays", holidays)):
        if path is not None and not path.is_file():
            raise UsageError(f"{opt} file not found: {path}")
    settings = _settings(workers=workers, round=round_, registry=registry, holidays_file=holidays, db_url=db,
                         ocr_engine=ocr_engine)

    import os

    from flows.runtime import configure_prefect_env

    if verbose:
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    configure_prefect_env()
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    for noisy in ("presidio-analyzer", "urllib3", "PIL", "pdfminer", "asyncio", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    from flows.process_batch import run  # imports prefect: after the environment is set

    live = err.is_terminal
    progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), console=err, transient=True, disable=not live)
    tasks: dict[str, int] = {}

    def report(event: str, advance: int, total: int | None) -> None:
        if event == "files":
            tasks["file"] = progress.add_task("files", total=total)
            tasks["page"] = progress.add_task("pages", total=None)
        elif event == "redact":
            if total:
                tasks["redacted"] = progress.add_task("redacting", total=total)
        elif event in tasks:
            progress.advance(tasks[event], advance)

    with progress:
        if live:
            progress.console.print(f"processing {batch} → {out}", highlight=False)
        counts = run(batch, out, settings, report)

    for note in counts.get("notes", []):
        err.print(f"[yellow]note:[/] {note}", highlight=False)
    line = (f"{counts['filings']} filings: {counts['ready']} ready, {counts['needs_review']} needs_review, "
            f"{counts['quarantined']} quarantined; {counts['summary_tables']} summary table(s); "
            f"{counts['files_quarantined']} file(s) quarantined; {counts['seconds']} s → {out / 'records.jsonl'}")
    Console().print(line, highlight=False, soft_wrap=True)


@app.command()
def validate(records: Path = typer.Argument(..., help="A records.jsonl to check against the contract.")) -> None:
    """Check every line of a records.jsonl against the records contract."""
    from pydantic import ValidationError

    from records.schema import validate_line

    err = Console(stderr=True)
    if not records.is_file():
        _fail(err, f"not found: {records}", 2)
    bad = 0
    for n, line in enumerate(records.read_text(encoding="utf-8").splitlines(), start=1):
        try:
            validate_line(line)
        except ValidationError as exc:
            bad += 1
            err.print(f"line {n}: {exc.errors()[0]['loc']}: {exc.errors()[0]['msg']}", highlight=False)
    if bad:
        _fail(err, f"{bad} line(s) do not follow the contract", 1)
    Console().print(f"{records}: every line follows the contract")


@app.command()
def leakcheck(
    out_dir: Path = typer.Argument(..., help="An OUT_DIR written by `process`."),
    values: Path = typer.Option(..., "--values", help="Raw personal values: one per line, a JSON list, or a sample's truth/ folder."),
) -> None:
    """Look for raw personal values in every output: text, spreadsheets, PDF text layers, OCR of redacted pages."""
    from redaction import leakcheck as find_leaks

    err = Console(stderr=True)
    if not out_dir.is_dir():
        _fail(err, f"not a folder: {out_dir}", 2)
    if not values.exists():
        _fail(err, f"--values not found: {values}", 2)
    from redaction import load_values, truth_values

    # One value a line, a JSON list, or a sample's truth/ folder (its raw_personal values).
    raw = truth_values(values) if values.is_dir() else load_values(values)
    leaks = find_leaks(out_dir, raw)
    for leak in leaks:
        err.print(f"LEAK {leak.file}: {leak.where}: {leak.value}", highlight=False)
    if leaks:
        _fail(err, f"{len(leaks)} raw value(s) found in {out_dir}", 1)
    Console().print(f"no raw value of {len(raw)} found under {out_dir}")


@app.command()
def history(
    platform: str = typer.Argument(..., help="Platform key, uscc or platform name."),
    db: Optional[str] = typer.Option(None, "--db", help="Records store URL."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="OUT_DIR whose SQLite store to read (when no --db)."),
) -> None:
    """Show a platform's versions across rounds, with what changed between them."""
    from records.store import default_url, history as load_history, open_store, render_history

    err = Console(stderr=True)
    if db is None and out is None:
        _fail(err, "give --db URL or --out OUT_DIR", 2)
    try:
        store = open_store(db or default_url(out))
        try:
            view = load_history(store, platform)
        finally:
            store.close()
    except PilotIntakeError as exc:
        _fail(err, str(exc), exc.exit_code)
    Console().print(render_history(view))


def main() -> None:
    try:
        app()
    except SystemExit as exc:
        sys.exit(exc.code)


if __name__ == "__main__":
    main()
