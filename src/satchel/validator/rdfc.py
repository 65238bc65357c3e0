"""RDF Dataset Canonicalization (RDFC-1.0) of JSON-LD documents and N-Quads.

JSON-LD becomes RDF through pyld (with Satchel's loader, and JSON-LD safe mode by default); the
canonicalization itself is implemented here rather than in pyld's ``URDNA2015`` because we need
what pyld lacks: a selectable internal hash (ecdsa-rdfc-2019 with P-384 hashes with SHA-384), a
bound on the work (the rdf-canon "poison" graphs never finish otherwise), limits on the input
size, RDFC-1.0's N-Quads escaping, and the issued identifier map.

Terms are kept as their canonical N-Quads text (``<iri>``, ``_:id``, ``"lexical"^^<dt>``), so
serializing a quad is string joining and a blank node is any term starting with ``_:``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pyld import jsonld
from pyld.canon import permutations

from satchel.contexts import load_document
from satchel.errors import SatchelError

__all__ = [
    "DEFAULT_MAX_BLANK_NODES",
    "DEFAULT_MAX_QUADS",
    "DEFAULT_MAX_WORK",
    "CanonicalDataset",
    "CanonicalizationError",
    "CanonicalizationLimitError",
    "Quad",
    "canonicalize",
    "canonicalize_dataset",
    "canonicalize_nquads",
    "escape_literal",
    "literal_term",
    "parse_nquads",
    "serialize_quad",
    "to_dataset",
]

# A quad: subject, predicate, object, graph name ("" for the default graph), each in N-Quads form.
Quad = tuple[str, str, str, str]

# Hash N-Degree Quads calls plus permutations tried. Real credentials need a few dozen; the
# computable poison graphs of rdf-canon 3,348; the 10-clique would need billions.
DEFAULT_MAX_WORK = 20_000
DEFAULT_MAX_QUADS = 100_000
DEFAULT_MAX_BLANK_NODES = 10_000

_HASHES = {"sha256": hashlib.sha256, "sha384": hashlib.sha384, "sha512": hashlib.sha512}
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


class CanonicalizationError(SatchelError):
    """The document cannot be turned into canonical RDF."""

    type = "canonicalization-failed"
    title = "Canonicalization failed"
    status = 400


class CanonicalizationLimitError(CanonicalizationError):
    """The dataset is too large or too expensive (e.g. a poison graph) to canonicalize."""

    type = "canonicalization-limit"
    title = "Canonicalization limit exceeded"
    status = 422


@dataclass(frozen=True)
class CanonicalDataset:
    """Canonical N-Quads and the map input blank node label -> canonical label (no ``_:``)."""

    nquads: str
    issued_identifiers: Mapping[str, str]


# --- N-Quads text ---------------------------------------------------------------------------

_ECHAR_OUT = {"\\": "\\\\", '"': '\\"', "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f"}
_ECHAR_OUT["\r"] = "\\r"
_NEEDS_ESCAPE = re.compile(r'[\\"\x00-\x1f\x7f]')


def _escape_char(match: re.Match[str]) -> str:
    char = match.group()
    return _ECHAR_OUT.get(char) or f"\\u{ord(char):04X}"


def escape_literal(value: str) -> str:
    """RDFC-1.0 canonical escaping of a literal's lexical form."""
    return _NEEDS_ESCAPE.sub(_escape_char, value)


def literal_term(value: str, datatype: str | None = None, language: str | None = None) -> str:
    """A literal in canonical N-Quads form (xsd:string is implicit)."""
    text = '"' + escape_literal(value) + '"'
    if language:
        return text + "@" + language
    if datatype and datatype not in (_XSD_STRING, _RDF_LANGSTRING):
        return text + "^^<" + datatype + ">"
    return text


def serialize_quad(quad: Quad) -> str:
    """One canonical N-Quads line, newline included."""
    subject, predicate, obj, graph = quad
    if graph:
        return f"{subject} {predicate} {obj} {graph} .\n"
    return f"{subject} {predicate} {obj} .\n"


_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_IRI = rf"<((?:[^\x00-\x20<>\"{{}}|^`\\]|{_UCHAR})*)>"
# Blank node labels: N-Quads' PN_CHARS, loosened to "any non-ASCII character" for brevity.
_BNODE_CHAR = r"A-Za-z0-9_\u00b7-\U000effff"
_BNODE = rf"(_:[{_BNODE_CHAR}](?:[{_BNODE_CHAR}.\-]*[{_BNODE_CHAR}\-])?)"
_STRING = rf'"((?:[^"\\\n\r]|\\[tbnrf"\'\\]|{_UCHAR})*)"'
_LITERAL = rf"{_STRING}(?:\^\^{_IRI}|@([a-zA-Z]+(?:-[a-zA-Z0-9]+)*))?"
_TERM = rf"(?:{_IRI}|{_BNODE})"
_WS = r"[ \t]*"
_QUAD = re.compile(
    rf"{_WS}{_TERM}{_WS}{_IRI}{_WS}(?:{_IRI}|{_BNODE}|{_LITERAL}){_WS}(?:{_TERM}{_WS})?\.{_WS}(?:#.*)?"
)
_ESCAPE_IN = re.compile(rf"\\[tbnrf\"'\\]|{_UCHAR}")
_ECHAR_IN = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _unescape(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        escape = match.group()
        if escape[1] in "uU":
            return chr(int(escape[2:], 16))
        return _ECHAR_IN[escape[1]]

    return _ESCAPE_IN.sub(one, text)


def parse_nquads(text: str) -> list[Quad]:
    """Parse N-Quads into canonical-form quads (duplicates removed, order kept)."""
    quads: dict[Quad, None] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip(" \t")
        if not stripped or stripped.startswith("#"):
            continue
        match = _QUAD.fullmatch(line)
        if match is None:
            raise CanonicalizationError(f"invalid N-Quads at line {number}: {line!r}")
        quads[_quad_from_match(match.groups())] = None
    return list(quads)


def _quad_from_match(groups: Sequence[str | None]) -> Quad:
    s_iri, s_bnode, pred, o_iri, o_bnode, lexical, datatype, language, g_iri, g_bnode = groups
    subject = f"<{_unescape(s_iri)}>" if s_iri is not None else str(s_bnode)
    if o_iri is not None:
        obj = f"<{_unescape(o_iri)}>"
    elif o_bnode is not None:
        obj = o_bnode
    else:
        dt = _unescape(datatype) if datatype is not None else None
        obj = literal_term(_unescape(lexical or ""), dt, language)
    graph = f"<{_unescape(g_iri)}>" if g_iri is not None else (g_bnode or "")
    return (subject, f"<{_unescape(str(pred))}>", obj, graph)


# --- JSON-LD to RDF ---------------------------------------------------------------------------


def _pyld_term(term: Mapping[str, Any]) -> str:
    if term["type"] == "IRI":
        return f"<{term['value']}>"
    if term["type"] == "blank node":
        return str(term["value"])
    return literal_term(term["value"], term.get("datatype"), term.get("language"))


def _dataset_quads(dataset: Mapping[str, Iterable[Mapping[str, Any]]]) -> list[Quad]:
    quads: dict[Quad, None] = {}
    for name, triples in dataset.items():
        graph = "" if name == "@default" else (name if name.startswith("_:") else f"<{name}>")
        for triple in triples:
            quad = (
                _pyld_term(triple["subject"]),
                _pyld_term(triple["predicate"]),
                _pyld_term(triple["object"]),
                graph,
            )
            quads[quad] = None
    return list(quads)


def to_dataset(document: Any, *, safe: bool = True) -> list[Quad]:
    """The RDF dataset of a JSON-LD document, via pyld and the bundled-contexts loader.

    With ``safe`` (the default) any term, type or identifier that JSON-LD would silently drop
    raises :class:`~satchel.validator.jsonld_safe.SafeModeError` instead.
    """
    # No base IRI, as in jsonld.js Data Integrity: with base "" pyld 3.3 would resolve relative
    # IRIs against http://example.org/base/ and sign statements about that made-up IRI.
    options = {"documentLoader": load_document, "produceGeneralizedRdf": False, "base": None}
    processor: jsonld.JsonLdProcessor
    if safe:
        from satchel.validator.jsonld_safe import SafeProcessor  # imports this module

        processor = SafeProcessor()
    else:
        processor = jsonld.JsonLdProcessor()
    try:
        dataset = processor.to_rdf(document, options)
    except jsonld.JsonLdError as error:
        raise _from_jsonld_error(error) from error
    except PYLD_CRASHES as error:
        raise pyld_crash_error(error) from error
    return _dataset_quads(dataset)


# pyld raises these, unwrapped, on some hostile documents (e.g. {"@vocab": null} after a
# protected context gives KeyError('@vocab')): they are input errors, not crashes of ours.
PYLD_CRASHES = (KeyError, TypeError, ValueError, IndexError, AttributeError, RecursionError)


def pyld_crash_error(error: BaseException) -> CanonicalizationError:
    if isinstance(error, RecursionError):
        return CanonicalizationError("it is nested too deeply to process")
    return CanonicalizationError(f"JSON-LD processing failed on this input: {error!r}")


def _from_jsonld_error(error: jsonld.JsonLdError) -> SatchelError:
    # pyld wraps loader and safe-mode errors; surface our own typed error when there is one.
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, SatchelError):
            return cause
        details = getattr(cause, "details", None)
        nested = details.get("cause") if isinstance(details, dict) else None
        cause = cause.__cause__ or (nested if isinstance(nested, BaseException) else None)
    return CanonicalizationError(f"JSON-LD processing failed: {error}")


# --- RDFC-1.0 ---------------------------------------------------------------------------------


class _Issuer:
    """Identifier issuer: insertion-ordered dict, so copying it is one dict copy."""

    __slots__ = ("issued", "prefix")

    def __init__(self, prefix: str, issued: dict[str, str] | None = None) -> None:
        self.prefix = prefix
        self.issued: dict[str, str] = issued if issued is not None else {}

    def issue(self, identifier: str) -> str:
        issued = self.issued.get(identifier)
        if issued is None:
            issued = self.issued[identifier] = f"{self.prefix}{len(self.issued)}"
        return issued

    def copy(self) -> _Issuer:
        return _Issuer(self.prefix, dict(self.issued))


class _Canonicalizer:
    """RDFC-1.0 (W3C Recommendation 2024) section 4, step numbers in comments."""

    def __init__(self, quads: Sequence[Quad], hash_factory: Callable[[bytes], Any], max_work: int):
        self._quads = quads
        self._new_hash = hash_factory
        self._work_left = max_work
        self._max_work = max_work
        self._canonical = _Issuer("_:c14n")
        self._first_degree: dict[str, str] = {}
        # 2) blank node to quads map
        self._bnode_quads: dict[str, list[Quad]] = {}
        for quad in quads:
            for term in (quad[0], quad[2], quad[3]):
                if term.startswith("_:"):
                    self._bnode_quads.setdefault(term, []).append(quad)

    def _spend(self) -> None:
        self._work_left -= 1
        if self._work_left < 0:
            raise CanonicalizationLimitError(
                f"RDF canonicalization exceeded its work bound ({self._max_work} steps); "
                "the dataset is too complex (possibly a poison graph)"
            )

    def _hash(self, data: str) -> str:
        return str(self._new_hash(data.encode("utf-8")).hexdigest())

    def run(self) -> CanonicalDataset:
        # 3) hash to blank nodes map
        by_hash: dict[str, list[str]] = {}
        for bnode in self._bnode_quads:
            by_hash.setdefault(self._hash_first_degree(bnode), []).append(bnode)
        # 4) unique first-degree hashes get canonical identifiers straight away
        shared: list[tuple[str, list[str]]] = []
        for hash_, bnodes in sorted(by_hash.items()):
            if len(bnodes) == 1:
                self._canonical.issue(bnodes[0])
            else:
                shared.append((hash_, bnodes))
        # 5) the rest in order of their N-degree hashes
        for _hash, bnodes in shared:
            results: list[tuple[str, _Issuer]] = []
            for bnode in bnodes:
                if bnode in self._canonical.issued:
                    continue
                temporary = _Issuer("_:b")
                temporary.issue(bnode)
                results.append(self._hash_n_degree(bnode, temporary))
            for _result_hash, issuer in sorted(results, key=lambda result: result[0]):
                for existing in issuer.issued:
                    self._canonical.issue(existing)
        return self._output()

    def _output(self) -> CanonicalDataset:
        # 6) relabel and sort by code point (Python compares str by code point)
        issued = self._canonical.issued
        lines = sorted({serialize_quad(_relabel(quad, issued)) for quad in self._quads})
        mapping = {bnode[2:]: label[2:] for bnode, label in issued.items()}
        return CanonicalDataset("".join(lines), mapping)

    def _hash_first_degree(self, bnode: str) -> str:
        cached = self._first_degree.get(bnode)
        if cached is not None:
            return cached
        # Step 3.1: the reference blank node is _:a, every other one _:z.
        labels = {term: "_:z" for quad in self._bnode_quads[bnode] for term in quad}
        labels[bnode] = "_:a"
        lines = [serialize_quad(_relabel(quad, labels)) for quad in self._bnode_quads[bnode]]
        lines.sort()
        result = self._first_degree[bnode] = self._hash("".join(lines))
        return result

    def _hash_related(self, related: str, quad: Quad, issuer: _Issuer, position: str) -> str:
        identifier = (
            self._canonical.issued.get(related)
            or issuer.issued.get(related)
            or self._hash_first_degree(related)
        )
        predicate = quad[1] if position != "g" else ""
        return self._hash(position + predicate + identifier)

    def _related_by_hash(self, bnode: str, issuer: _Issuer) -> dict[str, list[str]]:
        related: dict[str, list[str]] = {}
        for quad in self._bnode_quads[bnode]:
            for term, position in ((quad[0], "s"), (quad[2], "o"), (quad[3], "g")):
                if term.startswith("_:") and term != bnode:
                    hash_ = self._hash_related(term, quad, issuer, position)
                    related.setdefault(hash_, []).append(term)
        return related

    def _hash_n_degree(self, bnode: str, issuer: _Issuer) -> tuple[str, _Issuer]:
        self._spend()
        data: list[str] = []
        for related_hash, bnodes in sorted(self._related_by_hash(bnode, issuer).items()):
            data.append(related_hash)
            chosen_path, chosen_issuer = "", issuer
            for permutation in _permutations(bnodes):
                self._spend()
                found = self._try_permutation(permutation, issuer, chosen_path)
                if found is not None:
                    chosen_path, chosen_issuer = found
            data.append(chosen_path)
            issuer = chosen_issuer
        return self._hash("".join(data)), issuer

    def _try_permutation(
        self, permutation: Sequence[str], issuer: _Issuer, chosen_path: str
    ) -> tuple[str, _Issuer] | None:
        """Step 5.4: the path of one permutation, or None when it cannot beat ``chosen_path``."""
        issuer_copy = issuer.copy()
        path = ""
        recursion: list[str] = []
        for related in permutation:
            canonical = self._canonical.issued.get(related)
            if canonical is not None:
                path += canonical
            else:
                if related not in issuer_copy.issued:
                    recursion.append(related)
                path += issuer_copy.issue(related)
            if _worse(path, chosen_path):
                return None
        for related in recursion:
            result_hash, issuer_copy = self._hash_n_degree(related, issuer_copy)
            path += issuer_copy.issue(related) + "<" + result_hash + ">"
            if _worse(path, chosen_path):
                return None
        if not chosen_path or path < chosen_path:
            return path, issuer_copy
        return None


def _relabel(quad: Quad, labels: Mapping[str, str]) -> Quad:
    """The quad with its blank nodes (never the predicate, never IRIs/literals) relabelled."""
    subject, predicate, obj, graph = quad
    return (
        labels.get(subject, subject) if subject.startswith("_:") else subject,
        predicate,
        labels.get(obj, obj) if obj.startswith("_:") else obj,
        labels.get(graph, graph) if graph.startswith("_:") else graph,
    )


def _worse(path: str, chosen_path: str) -> bool:
    return bool(chosen_path) and len(path) >= len(chosen_path) and path > chosen_path


def _permutations(items: Sequence[str]) -> Iterable[list[str]]:
    # pyld's (and jsonld.js's) Steinhaus-Johnson-Trotter order: among permutations with equal
    # paths the first one wins, so the order decides the issued identifier map.
    generated: Iterable[list[str]] = permutations(list(items))
    return generated


def _hash_factory(hash_name: str) -> Callable[[bytes], Any]:
    key = hash_name.lower().replace("-", "")
    factory = _HASHES.get(key)
    if factory is None:
        raise CanonicalizationError(f"unsupported RDFC-1.0 hash algorithm {hash_name!r}")
    return factory


def _check_size(quads: Sequence[Quad], max_quads: int, max_blank_nodes: int) -> None:
    if len(quads) > max_quads:
        raise CanonicalizationLimitError(
            f"dataset has {len(quads)} quads; at most {max_quads} are canonicalized"
        )
    bnodes = {t for quad in quads for t in (quad[0], quad[2], quad[3]) if t.startswith("_:")}
    if len(bnodes) > max_blank_nodes:
        raise CanonicalizationLimitError(
            f"dataset has {len(bnodes)} blank nodes; at most {max_blank_nodes} are canonicalized"
        )


def canonicalize_dataset(
    quads: Sequence[Quad],
    *,
    hash_name: str = "sha256",
    max_work: int = DEFAULT_MAX_WORK,
    max_quads: int = DEFAULT_MAX_QUADS,
    max_blank_nodes: int = DEFAULT_MAX_BLANK_NODES,
) -> CanonicalDataset:
    """RDFC-1.0 of a dataset: canonical N-Quads and the issued identifier map."""
    factory = _hash_factory(hash_name)
    unique = list(dict.fromkeys(quads))
    _check_size(unique, max_quads, max_blank_nodes)
    return _Canonicalizer(unique, factory, max_work).run()


def canonicalize_nquads(
    nquads: str,
    *,
    hash_name: str = "sha256",
    max_work: int = DEFAULT_MAX_WORK,
    max_quads: int = DEFAULT_MAX_QUADS,
    max_blank_nodes: int = DEFAULT_MAX_BLANK_NODES,
) -> str:
    """RDFC-1.0 canonical N-Quads of N-Quads input."""
    return canonicalize_dataset(
        parse_nquads(nquads),
        hash_name=hash_name,
        max_work=max_work,
        max_quads=max_quads,
        max_blank_nodes=max_blank_nodes,
    ).nquads


def canonicalize(
    document: Any,
    *,
    hash_name: str = "sha256",
    max_work: int = DEFAULT_MAX_WORK,
    safe: bool = True,
    max_quads: int = DEFAULT_MAX_QUADS,
    max_blank_nodes: int = DEFAULT_MAX_BLANK_NODES,
) -> str:
    """Canonical N-Quads of a JSON-LD document (RDFC-1.0, JSON-LD safe mode by default).

    ``hash_name`` is RDFC-1.0's internal hash (``sha256`` or ``sha384``). Raises
    :class:`CanonicalizationLimitError` when the input or the work exceeds the bounds and
    :class:`~satchel.validator.jsonld_safe.SafeModeError` when ``safe`` and data would be lost.
    """
    return canonicalize_dataset(
        to_dataset(document, safe=safe),
        hash_name=hash_name,
        max_work=max_work,
        max_quads=max_quads,
        max_blank_nodes=max_blank_nodes,
    ).nquads
