"""ImportOptions: what every door builds, and the stored record of how an import was asked for."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from leadport.domain.model import Mode, Policy, Source


class ImportOptions(BaseModel):
    """One import's choices. `policy=None` means the workspace's default policy."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    campaign: str | None = None
    mode: Mode = Mode.CREATE_AND_UPDATE
    policy: Policy | None = None
    overwrite: bool = False
    # header (as written in the file) → target field (a lead field, `custom:<name>`, or `ignore`)
    mapping: dict[str, str] = Field(default_factory=dict)
    ignore: list[str] = Field(default_factory=list)
    saved_mapping: str | None = None
    save_mapping_as: str | None = None
    tags: list[str] = Field(default_factory=list)
    transforms: list[str] = Field(default_factory=list)
    sheet: str | None = None
    encoding: str | None = None
    dry_run: bool = False
    source: Source = Source.CSV
    file_name: str | None = None

    @field_validator("tags")
    @classmethod
    def _clean_tags(cls, tags: list[str]) -> list[str]:
        """Trimmed, blanks dropped, each once: as tags read from a file's cells are. Every door
        (CLI, upload form, JSON batch) builds these options, so none can give a lead a blank
        tag or one with stray spaces."""
        return list(dict.fromkeys(t.strip() for t in tags if t.strip()))
