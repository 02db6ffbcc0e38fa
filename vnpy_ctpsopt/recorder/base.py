"""Recorder names, settings and counters."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

APP_NAME: str = "CtpsoptRecorder"
EVENT_RECORDER_LOG: str = "eCtpsoptRecorderLog"
EVENT_RECORDER_STATS: str = "eCtpsoptRecorderStats"
SPILL_FOLDER: str = "ctpsopt_recorder_spill"


@dataclass
class RecorderSetting:
    """How the recorder filters, batches and retries.

    ``stale_seconds`` None turns the staleness filter off (replays, the simulated counter);
    ``session_filter`` keeps only ticks inside the SSE/SZSE option sessions.
    """

    bars: bool = False
    session_filter: bool = True
    stale_seconds: float | None = 300.0
    flush_interval: float = 1.0
    batch_rows: int = 20_000
    memory_rows: int = 500_000
    retry_initial: float = 0.5
    retry_max: float = 30.0
    close_timeout: float = 30.0
    bar_grace: float = 5.0
    fast_writer: bool = True
    spill_folder: str = ""


@dataclass
class UnderlyingStats:
    """Counts of one chain (ETF + its options)."""

    received: int = 0
    written: int = 0


@dataclass
class RecorderStats:
    """Counters. The event thread owns the first group, the writer thread the second; each
    counter has one writer, readers take a snapshot.

    The accounting (``balance``): received = written + filtered + merged + malformed + buffered
    + spill_pending, where buffered is what is still in memory (0 after close).
    """

    # event thread
    received: int = 0
    filtered_session: int = 0
    filtered_stale: int = 0
    malformed: int = 0
    merged_same: int = 0
    shifted: int = 0
    accepted: int = 0
    bars_generated: int = 0
    # writer thread
    dequeued: int = 0
    pending: int = 0
    written: int = 0
    merged_stored: int = 0
    malformed_rows: int = 0
    bars_written: int = 0
    contracts_written: int = 0
    spilled: int = 0
    spill_pending: int = 0
    recovered: int = 0
    recovered_merged: int = 0
    spill_damaged: int = 0
    db_errors: int = 0
    batches: int = 0
    last_lag: float = 0.0
    max_lag: float = 0.0
    last_error: str = ""
    per_underlying: dict[str, UnderlyingStats] = field(default_factory=dict)

    @property
    def filtered(self) -> int:
        return self.filtered_session + self.filtered_stale

    @property
    def merged(self) -> int:
        return self.merged_same + self.merged_stored

    @property
    def buffered(self) -> int:
        """Ticks received and accepted but not yet written nor spilled."""
        return self.accepted - self.dequeued + self.pending

    def balance(self) -> int:
        """received minus every place a tick went; 0 when nothing is unaccounted for."""
        return self.received - (
            self.written + self.filtered + self.merged + self.malformed + self.malformed_rows
            + self.buffered + self.spill_pending
        )  # fmt: skip

    def snapshot(self) -> RecorderStats:
        copy = RecorderStats(**{f.name: getattr(self, f.name) for f in fields(self)})
        copy.per_underlying = {
            k: UnderlyingStats(v.received, v.written) for k, v in list(self.per_underlying.items())
        }
        return copy
