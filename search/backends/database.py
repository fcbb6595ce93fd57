"""The default backend: full text in the database the site already has.

Both vendors index the token fields of SearchDocument (see search.analysis) and are
kept in step with the table by triggers, so `bulk_create`, `update` and cascading
deletes need no Python hook:

- SQLite: an FTS5 table over the token columns (external content: the text is not
  stored twice), ranked with bm25, the title weighted ×3;
- PostgreSQL: `search_vector` (title weight A, body B) and `title_vector` tsvector
  columns filled by a trigger from the token columns, a GIN index, ranked with
  ts_rank (A = 3 × B). The vectors are built from the tokens as they are — never
  through a text-search parser, whose idea of a word depends on the locale.

A query word matches where its tokens follow each other (FTS5 phrase
`"危房 房改 改造"`); PostgreSQL asks for all of them (`'危房' & '房改' & '改造'`),
which its GIN index answers without reading the documents. Documents whose title has
every word as typed come first, then rank, then the newest.

The structures are Django-invisible: created by `install()` from the migration and
re-created after any migration, because SQLite drops a table's triggers when Django
rebuilds the table.
"""

from contextlib import contextmanager

from django.db import connection as default_connection

from search import analysis

from .base import Hit, Query, Results, SearchBackend

TABLE = "search_searchdocument"
TITLE_WEIGHT = 3.0
SNIPPET_LENGTH = 120
#: Treebeard's path step: a unit's children have paths this much longer.
STEP = 4

SQLITE_INSTALL = [
    """CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(
        title_tokens, body_tokens, content='search_searchdocument', content_rowid='id',
        tokenize='unicode61 remove_diacritics 0')""",
    """CREATE TRIGGER IF NOT EXISTS search_fts_insert AFTER INSERT ON search_searchdocument BEGIN
        INSERT INTO search_fts(rowid, title_tokens, body_tokens)
        VALUES (new.id, new.title_tokens, new.body_tokens);
    END""",
    """CREATE TRIGGER IF NOT EXISTS search_fts_delete AFTER DELETE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, title_tokens, body_tokens)
        VALUES ('delete', old.id, old.title_tokens, old.body_tokens);
    END""",
    """CREATE TRIGGER IF NOT EXISTS search_fts_update
        AFTER UPDATE OF title_tokens, body_tokens ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, title_tokens, body_tokens)
        VALUES ('delete', old.id, old.title_tokens, old.body_tokens);
        INSERT INTO search_fts(rowid, title_tokens, body_tokens)
        VALUES (new.id, new.title_tokens, new.body_tokens);
    END""",
]
SQLITE_UNINSTALL = [
    "DROP TRIGGER IF EXISTS search_fts_insert",
    "DROP TRIGGER IF EXISTS search_fts_delete",
    "DROP TRIGGER IF EXISTS search_fts_update",
    "DROP TABLE IF EXISTS search_fts",
]

POSTGRES_INSTALL = [
    "ALTER TABLE search_searchdocument ADD COLUMN IF NOT EXISTS search_vector tsvector",
    "ALTER TABLE search_searchdocument ADD COLUMN IF NOT EXISTS title_vector tsvector",
    # Positions in order, clamped to tsvector's maximum; no parser involved.
    """CREATE OR REPLACE FUNCTION search_tokens_vector(tokens text, weight "char")
    RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT setweight(coalesce(
            string_agg(quote_literal(token) || ':' || least(position, 16383), ' ')
            ::tsvector, ''::tsvector), weight)
        FROM unnest(string_to_array(tokens, ' ')) WITH ORDINALITY AS t(token, position)
        WHERE token <> ''
    $$""",
    """CREATE OR REPLACE FUNCTION search_document_vector() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        NEW.title_vector := search_tokens_vector(NEW.title_tokens, 'A');
        NEW.search_vector := NEW.title_vector
            || search_tokens_vector(NEW.body_tokens, 'B');
        RETURN NEW;
    END
    $$""",
    """CREATE OR REPLACE TRIGGER search_document_vector
        BEFORE INSERT OR UPDATE OF title_tokens, body_tokens ON search_searchdocument
        FOR EACH ROW EXECUTE FUNCTION search_document_vector()""",
    """CREATE INDEX IF NOT EXISTS search_document_vector_gin
        ON search_searchdocument USING gin (search_vector)""",
]
POSTGRES_UNINSTALL = [
    "DROP TRIGGER IF EXISTS search_document_vector ON search_searchdocument",
    "DROP FUNCTION IF EXISTS search_document_vector()",
    'DROP FUNCTION IF EXISTS search_tokens_vector(text, "char")',
    "DROP INDEX IF EXISTS search_document_vector_gin",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS search_vector",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS title_vector",
]


def install(connection=default_connection):
    """Create (or repair) the full-text structures; idempotent."""
    _run(connection, {"sqlite": SQLITE_INSTALL, "postgresql": POSTGRES_INSTALL})


def uninstall(connection=default_connection):
    _run(connection, {"sqlite": SQLITE_UNINSTALL, "postgresql": POSTGRES_UNINSTALL})


def _run(connection, statements):
    with connection.cursor() as cursor:
        for statement in statements.get(connection.vendor, []):
            cursor.execute(statement)


def repair(using="default", **kwargs):
    """post_migrate: SQLite drops a table's triggers when a migration rebuilds the
    table, so the structures are re-created (idempotently) after every migrate."""
    from django.db import connections

    connection = connections[using]
    if TABLE in connection.introspection.table_names():
        install(connection)


class DatabaseBackend(SearchBackend):
    """Matching, ranking and facets in SQL; what differs by vendor is the match
    expression, the rank and how the index is rebuilt."""

    name = "database"

    def __init__(self, connection=None):
        self.connection = connection or default_connection

    # The interface ---------------------------------------------------------------

    def search(self, query: Query, offset: int = 0, limit: int = 20) -> Results:
        expression = self.match_expression(query.groups)
        if not expression:
            return Results(total=0, hits=[], query=query)
        where, params = self._filters(query)
        facets, total = self._facets(expression, where, params, query)
        hits = []
        if total and limit > 0:
            ranked = self.rank_limit is None or total <= self.rank_limit
            hits = self._hits(expression, where, params, query, offset, limit, ranked)
        return Results(total=total, hits=hits, facets=facets, query=query)

    def index(self, documents) -> None:
        """Nothing to do: triggers follow every change of SearchDocument."""

    def remove(self, document_ids) -> None:
        """Nothing to do: triggers follow every change of SearchDocument."""

    def rebuild(self) -> None:
        raise NotImplementedError

    @contextmanager
    def reloading(self):
        """Empty SearchDocument for a full reload (inside a transaction); the
        full-text structures are up to date on leaving."""
        with self.connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_searchdocument")
        yield

    # Vendor parts ----------------------------------------------------------------

    def match_expression(self, groups, title_only=False) -> str:
        """The full-text query for these groups; with `title_only`, matching the
        title alone (the words as typed rank first when the title has them all)."""
        raise NotImplementedError

    #: FROM/WHERE fragment joining the full-text structure: `d` is the document.
    match_sql = ""
    rank_sql = ""
    rank_order = ""
    #: Whether the document matches a title-only expression (the first parameter).
    title_hit_sql = ""
    #: Rank only up to this many matches (None: always).
    rank_limit = None

    # Shared SQL ------------------------------------------------------------------

    def _filters(self, query):
        where, params = [], []
        if query.kind:
            where.append("d.kind = %s")
            params.append(query.kind)
        if query.power_type:
            where.append("d.power_type = %s")
            params.append(query.power_type)
        if query.year:
            where.append("d.year = %s")
            params.append(query.year)
        if query.unit_path:
            where.append("d.unit_path LIKE %s")
            params.append(query.unit_path + "%")
        return "".join(f" AND {clause}" for clause in where), params

    def _facets(self, expression, where, params, query):
        sql = f"""
            WITH m AS (
                SELECT d.kind, d.power_type, d.year, d.unit_path
                {self.match_sql} {where}
            )
            SELECT 'kind', kind, COUNT(*) FROM m GROUP BY kind
            UNION ALL SELECT 'power_type', power_type, COUNT(*) FROM m
                WHERE power_type <> '' GROUP BY power_type
            UNION ALL SELECT 'year', CAST(year AS VARCHAR(4)), COUNT(*) FROM m
                WHERE year IS NOT NULL GROUP BY year
            UNION ALL SELECT 'unit', unit_path, COUNT(*) FROM m GROUP BY unit_path
        """  # noqa: S608 - constant fragments; every value is a parameter
        with self.connection.cursor() as cursor:
            cursor.execute(sql, [expression, *params])
            rows = cursor.fetchall()
        counts = {"kind": [], "power_type": [], "year": [], "unit": []}
        for name, value, count in rows:
            counts[name].append((value, count))
        total = sum(count for _, count in counts["kind"])
        by_count = lambda pairs: sorted(pairs, key=lambda pair: (-pair[1], pair[0]))  # noqa: E731
        facets = {
            "kind": by_count(counts["kind"]),
            "power_type": by_count(counts["power_type"]),
            "year": sorted(
                ((int(year), count) for year, count in counts["year"]), reverse=True
            ),
            "unit": unit_facet(dict(counts["unit"]), query.unit_path),
        }
        return facets, total

    def _hits(self, expression, where, params, query, offset, limit, ranked=True):
        rank_sql, rank_order = (
            (self.rank_sql, self.rank_order + ", ") if ranked else ("0", "")
        )
        if query.order == "date":
            order = "d.published_at DESC NULLS LAST, d.id DESC"
        else:
            order = f"title_hit DESC, {rank_order}d.published_at DESC NULLS LAST, d.id"
        sql = f"""
            SELECT d.id, d.kind, d.code, d.title, d.unit_id, d.url, d.body,
                   {rank_sql} AS score, {self.title_hit_sql} AS title_hit
            {self.match_sql} {where}
            ORDER BY {order}
            LIMIT %s OFFSET %s
        """
        title_expression = self.match_expression(
            [group[:1] for group in query.groups], title_only=True
        )
        with self.connection.cursor() as cursor:
            cursor.execute(sql, [title_expression, expression, *params, limit, offset])
            rows = cursor.fetchall()
        return [
            Hit(
                document_id=pk,
                kind=kind,
                code=code,
                title=title,
                unit_id=unit_id,
                url=url,
                score=abs(float(score or 0)),
                snippet=analysis.snippet(body, query.groups, SNIPPET_LENGTH),
            )
            for pk, kind, code, title, unit_id, url, body, score, _ in rows
        ]


def unit_facet(counts_by_path, base_path=None):
    """[(unit code, count)] one level below `base_path` (drilling through levels
    that hold a single unit and nothing of their own), the base unit first for its
    own documents; see base.Results."""
    from disclosure.models import UnitPage

    if not counts_by_path:
        return []
    base = base_path or ""
    level = len(base) + STEP if base else min(len(path) for path in counts_by_path)
    while True:
        own = sum(count for path, count in counts_by_path.items() if len(path) < level)
        groups = {}
        for path, count in counts_by_path.items():
            if len(path) >= level:
                groups[path[:level]] = groups.get(path[:level], 0) + count
        deeper = any(len(path) > level for path in counts_by_path)
        if own or len(groups) != 1 or not deeper:
            break
        base, level = next(iter(groups)), level + STEP
    entries = ([(base, own)] if own and base else []) + sorted(
        groups.items(), key=lambda pair: (-pair[1], pair[0])
    )
    codes = dict(
        UnitPage.objects.filter(path__in=[path for path, _ in entries]).values_list(
            "path", "code"
        )
    )
    return [(codes[path], count) for path, count in entries if path in codes]


class SQLiteBackend(DatabaseBackend):
    name = "sqlite"
    match_sql = (
        "FROM search_fts JOIN search_searchdocument d ON d.id = search_fts.rowid "
        "WHERE search_fts MATCH %s"
    )
    rank_sql = f"bm25(search_fts, {TITLE_WEIGHT}, 1.0)"
    rank_order = "score"  # bm25: lower is better

    title_hit_sql = "d.id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH %s)"

    def match_expression(self, groups, title_only=False) -> str:
        clauses = []
        for group in groups:
            terms = [self._term(term) for term in group]
            terms = [term for term in terms if term]
            if not terms:
                return ""
            clauses.append("(" + " OR ".join(terms) + ")")
        expression = " AND ".join(clauses)
        return (
            f"title_tokens : ({expression})"
            if title_only and expression
            else expression
        )

    @staticmethod
    def _term(term):
        tokens, prefix = analysis.term_tokens(term)
        if not tokens:
            return ""
        text = '"' + " ".join(tokens).replace('"', '""') + '"'
        return text + " *" if prefix else text

    def rebuild(self) -> None:
        install(self.connection)
        with self.connection.cursor() as cursor:
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")

    @contextmanager
    def reloading(self):
        """Loading without triggers and indexing once at the end is much faster
        than one FTS5 insert per row."""
        uninstall(self.connection)
        with self.connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_searchdocument")
        yield
        self.rebuild()


class PostgresBackend(DatabaseBackend):
    name = "postgresql"
    match_sql = (
        "FROM search_searchdocument d, (SELECT CAST(%s AS tsquery) AS q) query "
        "WHERE d.search_vector @@ query.q"
    )
    rank_sql = f"ts_rank('{{0.1, 0.2, {1 / TITLE_WEIGHT:.3f}, 1.0}}', d.search_vector, query.q)"
    rank_order = "score DESC"
    #: ts_rank reads every matching vector (out of line, TOASTed): past this many
    #: matches, title matches first and then the newest is order enough.
    rank_limit = 5000
    title_hit_sql = "d.title_vector @@ CAST(%s AS tsquery)"

    def match_expression(self, groups, title_only=False) -> str:
        clauses = []
        for group in groups:
            terms = [self._term(term, title_only) for term in group]
            terms = [term for term in terms if term]
            if not terms:
                return ""
            clauses.append("(" + " | ".join(terms) + ")")
        return " & ".join(clauses)

    @staticmethod
    def _term(term, title_only=False):
        """All of a term's tokens (`&`), not the phrase (`<->`): a GIN index answers
        `&` by itself, while a phrase has every candidate's vector read and checked
        — ten times slower on large matches, for a difference seldom seen."""
        tokens, prefix = analysis.term_tokens(term)
        if not tokens:
            return ""
        lexemes = [_lexeme(token) for token in tokens]
        if prefix:
            lexemes[-1] += ":*"
        return "(" + " & ".join(lexemes) + ")"

    def rebuild(self) -> None:
        install(self.connection)
        with self.connection.cursor() as cursor:
            cursor.execute(
                "UPDATE search_searchdocument SET "
                "title_vector = search_tokens_vector(title_tokens, 'A'), "
                "search_vector = search_tokens_vector(title_tokens, 'A') "
                "|| search_tokens_vector(body_tokens, 'B')"
            )


def _lexeme(token):
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def backend_for(connection=None) -> DatabaseBackend:
    connection = connection or default_connection
    if connection.vendor == "postgresql":
        return PostgresBackend(connection)
    if connection.vendor == "sqlite":
        return SQLiteBackend(connection)
    raise NotImplementedError(f"no full-text search for {connection.vendor}")
