"""``warta doctor``: check that the catalog, the lexical index and Chroma agree, and repair them.

The catalog (SQLite) is the source of truth for which chunks exist: Chroma vectors without a
catalog chunk are removed, catalog chunks without a vector are re-embedded, lexical rows are
re-derived from the chunk texts. The doctor asks the index what disagrees (``Index.consistency``)
and tells it what to repair; it knows nothing of how either store keeps its data.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class DoctorReport:
    lines: list[str] = field(default_factory=list)
    problems: int = 0
    repaired: int = 0

    @property
    def healthy(self) -> bool:
        return self.problems == self.repaired

    def problem(self, message: str) -> None:
        self.problems += 1
        self.lines.append(f"problem: {message}")

    @property
    def verdict(self) -> str:
        return "healthy" if self.healthy else "problems remain (run without --check-only to repair)"

    def note(self, line: str | None, problem: str | None) -> None:
        """A finding of another part (the reader's weights): a line when fine, else a problem."""
        if problem:
            self.problem(problem)
        elif line:
            self.lines.append(line)

    def fixed(self, message: str) -> None:
        self.repaired += 1
        self.lines.append(f"repaired: {message}")


def check_and_repair(service, repair: bool = True) -> DoctorReport:
    report = DoctorReport()
    index = service.index()
    state = index.consistency()
    if state.pending:
        report.problem(f"{len(state.pending)} article(s) left half-written by an interrupted ingestion")
        if repair:
            index.recover()
            report.fixed(f"removed {len(state.pending)} half-written article(s); ingest them again")
    if state.orphan_vectors:
        report.problem(f"{len(state.orphan_vectors)} vector(s) in Chroma belong to no catalog chunk")
        if repair:
            index.delete_vectors(state.orphan_vectors)
            report.fixed(f"deleted {len(state.orphan_vectors)} orphan vector(s)")
    if state.missing_vectors:
        report.problem(f"{len(state.missing_vectors)} catalog chunk(s) have no vector in Chroma")
        if repair:
            index.reembed(state.missing_vectors)
            report.fixed(f"re-embedded {len(state.missing_vectors)} chunk(s)")
    if not state.lexical_ok:
        report.problem(f"lexical index has {state.lexical_rows} rows for {state.chunks} chunks")
        if repair:
            index.rebuild_lexical()
            report.fixed("rebuilt the lexical index from the catalog")
    stats = index.stats()
    report.lines.append(
        f"index: {stats['articles']} articles, {stats['catalog_chunks']} catalog chunks, "
        f"{stats['chunks']} vectors, {stats['lexical_chunks']} lexical rows"
    )
    return report
