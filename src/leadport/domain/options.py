"""ImportOptions: what every door builds, and the stored record of how an import was asked for."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

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
