"""The interface every search backend implements (database or Elasticsearch)."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Query:
    """What was asked, already analysed (search.analysis.query_groups): `groups` is
    a list of term groups; a document must match every group (AND), and any term
    within a group (OR: a query word and its synonyms).

    A term is normalised text (e.g. "危房改造"), NOT a token: match it over the token
    fields (title_tokens, body_tokens) with `search.analysis.phrase(term)`, the
    tokens to find one after another ("危房 房改 改造"; a two-character term is one
    marked pair token, "低保" + PAIR_MARK). `term_tokens(term)` also says whether
    the last token is a prefix (one-character terms).
    """

    text: str
    groups: list  # list[list[str]]
    unit_path: str | None = None  # restrict to this unit's subtree
    power_type: str | None = None
    kind: str | None = None
    year: int | None = None
    order: str = "relevance"  # or "date"


@dataclass
class Hit:
    document_id: int
    kind: str
    code: str
    title: str
    unit_id: int
    url: str
    score: float
    snippet: str  # plain text around the first match; highlighting is the view's job


@dataclass
class Results:
    total: int
    hits: list[Hit]
    #: name -> [(value, count)], counted over every match (not only this page):
    #: "kind", "power_type", "year" (an int), and "unit" whose values are unit
    #: *codes*: the units one level below the unit filter (or below the home page)
    #: that hold matches, counting their whole subtree, plus the filtered unit itself
    #: for its own documents; a level with a single unit is skipped over.
    facets: dict = field(default_factory=dict)
    #: The analysed query (for highlighting with search.analysis.match_spans).
    query: Query | None = None


class SearchBackend:
    name = "base"

    def search(self, query: Query, offset: int = 0, limit: int = 20) -> Results:
        raise NotImplementedError

    def index(self, documents) -> None:
        """Add or replace these SearchDocument rows in the backend's own structures."""
        raise NotImplementedError

    def remove(self, document_ids) -> None:
        raise NotImplementedError

    def rebuild(self) -> None:
        """Drop and recreate the backend's own structures from SearchDocument."""
        raise NotImplementedError


class BackendUnavailable(Exception):
    """The backend cannot answer now (server down, index missing, request refused).

    Issue 6: a configured but unreachable Elasticsearch must never give a 500; the
    service catches this, logs a warning and asks the database backend instead.
    """
