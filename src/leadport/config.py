"""Settings from LEADPORT_* environment variables, validated once at start."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LEADPORT_", extra="ignore")

    data_dir: Path = Field(default=Path("./leadport-data"))
    database_url: str | None = None
    secret_key: str = "change-me-in-production"

    # Input limits: a file past one of them is refused whole with a message naming the limit.
    max_file_bytes: int = 2 * 1024**3
    max_rows: int = 5_000_000
    max_cell_chars: int = 10_000

    # Rows handled per database round trip during an import.
    import_batch_size: int = 2_000
    # Files from this size up are read and built in a second process when a core is free
    # (CLI imports; services/build_process.py). 0 turns it off.
    import_build_process_min_bytes: int = 8 * 1024**2
    # How long a writer waits for SQLite's write lock (another import may hold it).
    sqlite_busy_timeout_ms: int = 600_000

    restore_retention_days: int = 30
    # How often `serve` and `worker` purge restore data past the retention period (0: never).
    housekeeping_interval_seconds: float = 3600.0

    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_tls: bool = False
    smtp_starttls: bool = False
    smtp_sender: str = "leadport@localhost"

    max_upload_bytes: int = 200 * 1024**2

    # The server: rows per JSON batch, background jobs (heartbeat, when a silent worker counts as
    # dead, how often an interrupted import is re-run), and retries of emailed reports.
    max_batch_rows: int = 1_000
    # Events per POST /api/v1/activities (larger sets are files, POST /api/v1/activities/import).
    max_activity_events: int = 10_000
    job_heartbeat_seconds: float = 5.0
    job_stale_seconds: float = 60.0
    job_max_attempts: int = 3
    mail_retry_seconds: float = 30.0
    mail_max_attempts: int = 6

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'leadport.db').resolve()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
