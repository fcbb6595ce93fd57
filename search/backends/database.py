"""The default backend: full text in the database the site already has.

Both vendors index the token fields of SearchDocument (see search.analysis) and are
kept in step with the table by triggers, so `bulk_create`, `update` and cascading
deletes need no Python hook:

- SQLite: an FTS5 table over the token columns (external content: the text is not
  stored twice), ranked with bm25, the title weighted ×3;
- PostgreSQL: a `search_vector` tsvector filled by a trigger from the token
  columns — the title's tokens (weight A), the body's (B), and the title's tokens
  once more with TITLE_MARK before them, so that "the title has every word" is a
  question the GIN index answers alone. The vectors are built from the tokens as
  they are — never through a text-search parser, whose idea of a word depends on
  the locale.

A query word matches where its tokens follow each other (FTS5 phrase
`"危房 房改 改造"`), or a long word's parts stand close together
(analysis.loose_parts); PostgreSQL asks for all of them (`'危房' & '房改' &
'改造'`), which its GIN index answers without reading the documents. Documents
whose title has every word as typed come first, then rank, then the newest.

PostgreSQL at 100,000 documents (bench/bench_search.py): what costs is reading the
rows of every match, for the facet counts and to find the first page. So the table
keeps its rows narrow (`toast_tuple_target`: the long text and the vector live out
of line, the facet columns stay in the row), facets are counted in one pass
(GROUPING SETS), and ranking reads vectors for a bounded window only: the first
RANK_WINDOW matches in the cheap order (title hits, then newest) are re-ordered by
ts_rank; beyond it the cheap order stands. Pages are consistent: the order is a
fixed function of the matches. (PostgreSQL moves values out of line only from rows
over ~2 kB, which an item's vector alone exceeds; a short document keeps its row.)
Facet counts stay exact: even a word found in all 100,000 documents costs ~60 ms, so
no cap or approximate count ("约") is needed at this size.

The structures are Django-invisible: created by `install()` from the migration and
re-created after any migration, because SQLite drops a table's triggers when Django
rebuilds the table.
"""

from contextlib import contextmanager

from django.db import connection as default_connection

from search import analysis

from .base import Hit, Query, Results, SearchBackend

TABLE = "search_searchdocument"
GIN_INDEX = "search_document_vector_gin"
TITLE_WEIGHT = 3.0
RANK_WINDOW = 200
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

#: Before each title token in the PostgreSQL vector (a private-use character, never
#: in normalised text): title-only matching through the GIN index.
TITLE_MARK = "\ue001"

POSTGRES_INDEX = (
    f"CREATE INDEX IF NOT EXISTS {GIN_INDEX} ON search_searchdocument "
    "USING gin (search_vector)"
)
POSTGRES_INSTALL = [
    "ALTER TABLE search_searchdocument ADD COLUMN IF NOT EXISTS search_vector tsvector",
    # No statistics: the planner then always reads through the GIN index. With them,
    # for a word in nearly every document it would scan the table and test each
    # vector, not knowing each is a TOAST read (600 ms instead of 60 at 100,000).
    "ALTER TABLE search_searchdocument ALTER COLUMN search_vector SET STATISTICS 0",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS title_vector",
    # Rows this small keep only the short columns in line (facets read them for
    # every match); text and vectors go to the TOAST table.
    "ALTER TABLE search_searchdocument SET (toast_tuple_target = 128)",
    # Positions in order, clamped to tsvector's maximum; no parser involved.
    """CREATE OR REPLACE FUNCTION search_tokens_vector(tokens text, weight "char")
    RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT setweight(coalesce(
            string_agg(quote_literal(token) || ':' || least(position, 16383), ' ')
            ::tsvector, ''::tsvector), weight)
        FROM unnest(string_to_array(tokens, ' ')) WITH ORDINALITY AS t(token, position)
        WHERE token <> ''
    $$""",
    f"""CREATE OR REPLACE FUNCTION search_title_marks(tokens text)
    RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT coalesce(
            string_agg(quote_literal(chr({ord(TITLE_MARK)}) || token), ' ')::tsvector,
            ''::tsvector)
        FROM unnest(string_to_array(tokens, ' ')) AS t(token)
        WHERE token <> ''
    $$""",  # noqa: S608 - a constant character, no value
    """CREATE OR REPLACE FUNCTION search_vector_of(title_tokens text, body_tokens text)
    RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT search_tokens_vector(title_tokens, 'A')
            || search_tokens_vector(body_tokens, 'B')
            || search_title_marks(title_tokens)
    $$""",
    """CREATE OR REPLACE FUNCTION search_document_vector() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        NEW.search_vector := search_vector_of(NEW.title_tokens, NEW.body_tokens);
        RETURN NEW;
    END
    $$""",
    """CREATE OR REPLACE TRIGGER search_document_vector
        BEFORE INSERT OR UPDATE OF title_tokens, body_tokens ON search_searchdocument
        FOR EACH ROW EXECUTE FUNCTION search_document_vector()""",
    POSTGRES_INDEX,
]
POSTGRES_UNINSTALL = [
    "DROP TRIGGER IF EXISTS search_document_vector ON search_searchdocument",
    "DROP FUNCTION IF EXISTS search_document_vector()",
    "DROP FUNCTION IF EXISTS search_vector_of(text, text)",
    "DROP FUNCTION IF EXISTS search_title_marks(text)",
    'DROP FUNCTION IF EXISTS search_tokens_vector(text, "char")',
    f"DROP INDEX IF EXISTS {GIN_INDEX}",
    "ALTER TABLE search_searchdocument RESET (toast_tuple_target)",
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
    expression, how facets are counted, how hits are ordered and how the index is
    rebuilt."""

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
        if total and limit > 0 and offset < total:
            rows = self._hit_rows(expression, where, params, query, offset, limit)
            hits = [
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
                for pk, kind, code, title, unit_id, url, body, score in rows
            ]
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

    #: FROM/WHERE fragment joining the full-text structure: `d` is the document;
    #: its one parameter is the match expression.
    match_sql = ""

    def _facet_rows(self, expression, where, params):
        """(facet name, value, count) rows over every match."""
        raise NotImplementedError

    def _hit_rows(self, expression, where, params, query, offset, limit):
        """(id, kind, code, title, unit_id, url, body, score) of one page."""
        raise NotImplementedError

    # Shared ----------------------------------------------------------------------

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
        counts = {"kind": [], "power_type": [], "year": [], "unit": []}
        for name, value, count in self._facet_rows(expression, where, params):
            if value not in (None, ""):
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

    def _fetch(self, sql, params):
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()


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
    """FTS5 answers the match and bm25 ranks every match: fast enough at the sizes
    an embedded site holds (bench/bench_search.py)."""

    name = "sqlite"
    match_sql = (
        "FROM search_fts JOIN search_searchdocument d ON d.id = search_fts.rowid "
        "WHERE search_fts MATCH %s"
    )
    rank_sql = f"bm25(search_fts, {TITLE_WEIGHT}, 1.0)"  # lower is better
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

    @classmethod
    def _term(cls, term):
        tokens, prefix = analysis.term_tokens(term)
        if not tokens:
            return ""
        text = cls._phrase(tokens)
        if prefix:
            return text + " *"
        parts = analysis.loose_parts(term)
        if not parts:
            return text
        near = " ".join(cls._phrase(analysis.stream_tokens(part)) for part in parts)
        return f"({text} OR NEAR({near}, {analysis.loose_distance(parts)}))"

    @staticmethod
    def _phrase(tokens):
        return '"' + " ".join(tokens).replace('"', '""') + '"'

    def _facet_rows(self, expression, where, params):
        sql = f"""
            WITH m AS (
                SELECT d.kind, d.power_type, d.year, d.unit_path
                {self.match_sql} {where}
            )
            SELECT 'kind', kind, COUNT(*) FROM m GROUP BY kind
            UNION ALL SELECT 'power_type', power_type, COUNT(*) FROM m
                GROUP BY power_type
            UNION ALL SELECT 'year', year, COUNT(*) FROM m GROUP BY year
            UNION ALL SELECT 'unit', unit_path, COUNT(*) FROM m GROUP BY unit_path
        """  # noqa: S608 - constant fragments; every value is a parameter
        return self._fetch(sql, [expression, *params])

    def _hit_rows(self, expression, where, params, query, offset, limit):
        if query.order == "date":
            order = "d.published_at DESC NULLS LAST, d.id DESC"
        else:
            order = "title_hit DESC, score, d.published_at DESC NULLS LAST, d.id"
        sql = f"""
            SELECT d.id, d.kind, d.code, d.title, d.unit_id, d.url, d.body,
                   {self.rank_sql} AS score, {self.title_hit_sql} AS title_hit
            {self.match_sql} {where}
            ORDER BY {order}
            LIMIT %s OFFSET %s
        """  # noqa: S608 - constant fragments; every value is a parameter
        title_expression = self.match_expression(
            [group[:1] for group in query.groups], title_only=True
        )
        rows = self._fetch(sql, [title_expression, expression, *params, limit, offset])
        return [row[:-1] for row in rows]

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
        "FROM search_searchdocument d WHERE d.search_vector @@ CAST(%s AS tsquery)"
    )
    #: ts_rank weights {D, C, B, A}: the title (A) counts TITLE_WEIGHT times the body.
    rank_weights = f"{{0.1, 0.2, {1 / TITLE_WEIGHT:.3f}, 1.0}}"
    #: How many matches, first in the cheap order, ts_rank re-orders: ranking reads
    #: each one's vector from the TOAST table (~25 µs apiece).
    rank_window = RANK_WINDOW

    def match_expression(self, groups, title_only=False) -> str:
        clauses = []
        for group in groups:
            terms = [self._term(term, title_only) for term in group]
            terms = [term for term in terms if term]
            if not terms:
                return ""
            clauses.append("(" + " | ".join(terms) + ")")
        return " & ".join(clauses)

    @classmethod
    def _term(cls, term, title_only=False):
        """All of a term's tokens (`&`), not the phrase (`<->`): a GIN index answers
        `&` by itself, while a phrase has every candidate's vector read and checked
        — ten times slower on large matches, for a difference seldom seen. A long
        term's loose parts (analysis.loose_parts) are an alternative, likewise."""
        mark = TITLE_MARK if title_only else ""
        tokens, prefix = analysis.term_tokens(term)
        if not tokens:
            return ""
        exact = cls._all(tokens, prefix, mark)
        parts = [] if prefix else analysis.loose_parts(term)
        if not parts:
            return exact
        loose = " & ".join(
            cls._all(analysis.term_tokens(part)[0], False, mark) for part in parts
        )
        return f"({exact} | ({loose}))"

    @staticmethod
    def _all(tokens, prefix, mark):
        lexemes = [_lexeme(mark + token) for token in tokens]
        if prefix:
            lexemes[-1] += ":*"
        return "(" + " & ".join(lexemes) + ")"

    def _facet_rows(self, expression, where, params):
        """One pass over the matches, four groupings; a value's set is told by
        GROUPING() (a document may lack a year: NULL is a value there too)."""
        sql = f"""
            SELECT CASE WHEN GROUPING(d.kind) = 0 THEN 'kind'
                        WHEN GROUPING(d.power_type) = 0 THEN 'power_type'
                        WHEN GROUPING(d.year) = 0 THEN 'year'
                        ELSE 'unit' END,
                   COALESCE(d.kind, d.power_type, CAST(d.year AS text), d.unit_path),
                   COUNT(*)
            {self.match_sql} {where}
            GROUP BY GROUPING SETS ((d.kind), (d.power_type), (d.year), (d.unit_path))
        """  # noqa: S608 - constant fragments; every value is a parameter
        return self._fetch(sql, [expression, *params])

    def _hit_rows(self, expression, where, params, query, offset, limit):
        if query.order == "date":
            return self._by_date(expression, where, params, offset, limit)
        return self._by_relevance(expression, where, params, query, offset, limit)

    def _by_date(self, expression, where, params, offset, limit):
        sql = f"""
            WITH page AS (
                SELECT d.id {self.match_sql} {where}
                ORDER BY d.published_at DESC NULLS LAST, d.id DESC
                LIMIT %s OFFSET %s
            )
            SELECT d.id, d.kind, d.code, d.title, d.unit_id, d.url, d.body, 0
            FROM page JOIN search_searchdocument d ON d.id = page.id
            ORDER BY d.published_at DESC NULLS LAST, d.id DESC
        """  # noqa: S608 - constant fragments; every value is a parameter
        return self._fetch(sql, [expression, *params, limit, offset])

    def _by_relevance(self, expression, where, params, query, offset, limit):
        """Title hits (the GIN index finds them: TITLE_MARK tokens), then the other
        matches, each newest first — the cheap order, read from the narrow rows;
        the first `rank_window` of it re-ordered by ts_rank. The outer LIMIT stops
        before the second scan when title hits fill the window."""
        title = self.match_expression(
            [group[:1] for group in query.groups], title_only=True
        )
        window = max(self.rank_window, offset + limit)
        newest = "ORDER BY d.published_at DESC NULLS LAST, d.id LIMIT %s"
        sql = f"""
            WITH cheap AS (
                SELECT * FROM (
                    (SELECT d.id, d.published_at, TRUE AS title_hit
                     {self.match_sql} {where} {newest})
                    UNION ALL
                    (SELECT d.id, d.published_at, FALSE
                     {self.match_sql} {where} {newest})
                ) AS candidates
                LIMIT %s
            ),
            placed AS (
                SELECT id, title_hit, row_number() OVER (
                    ORDER BY title_hit DESC, published_at DESC NULLS LAST, id
                ) AS place
                FROM cheap
            ),
            scored AS (
                SELECT placed.*, CASE WHEN place <= %s THEN
                    ts_rank(%s, d.search_vector, CAST(%s AS tsquery)) END AS score
                FROM placed JOIN search_searchdocument d ON d.id = placed.id
            )
            SELECT d.id, d.kind, d.code, d.title, d.unit_id, d.url, d.body,
                   scored.score
            FROM scored JOIN search_searchdocument d ON d.id = scored.id
            ORDER BY place > %s, title_hit DESC, score DESC NULLS LAST, place
            LIMIT %s OFFSET %s
        """  # noqa: S608 - constant fragments; every value is a parameter
        others = f"({expression}) & !({title})"
        return self._fetch(
            sql,
            [
                *[title, *params, window],
                *[others, *params, window],
                window,
                self.rank_window,
                self.rank_weights,
                expression,
                self.rank_window,
                limit,
                offset,
            ],
        )

    def rebuild(self) -> None:
        install(self.connection)
        with self.connection.cursor() as cursor:
            cursor.execute(
                "UPDATE search_searchdocument "
                "SET search_vector = search_vector_of(title_tokens, body_tokens)"
            )
            cursor.execute("ANALYZE search_searchdocument")

    @contextmanager
    def reloading(self):
        """The GIN index is built once after the rows are in, much faster than row
        by row. PostgreSQL builds no index on a table with checks pending, so the
        table's deferred foreign key (to the unit) is checked just before."""
        with self.connection.cursor() as cursor:
            cursor.execute(f"DROP INDEX IF EXISTS {GIN_INDEX}")
            cursor.execute("DELETE FROM search_searchdocument")
        yield
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT conname FROM pg_constraint "
                "WHERE conrelid = CAST(%s AS regclass) AND condeferred",
                [TABLE],
            )
            names = ", ".join(
                self.connection.ops.quote_name(name) for (name,) in cursor.fetchall()
            )
            if names:
                cursor.execute(f"SET CONSTRAINTS {names} IMMEDIATE")
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            cursor.execute(POSTGRES_INDEX)
            if names:
                cursor.execute(f"SET CONSTRAINTS {names} DEFERRED")
            cursor.execute(f"ANALYZE {TABLE}")


def _lexeme(token):
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def backend_for(connection=None) -> DatabaseBackend:
    connection = connection or default_connection
    if connection.vendor == "postgresql":
        return PostgresBackend(connection)
    if connection.vendor == "sqlite":
        return SQLiteBackend(connection)
    raise NotImplementedError(f"no full-text search for {connection.vendor}")
