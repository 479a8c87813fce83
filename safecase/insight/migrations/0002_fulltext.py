"""The full-text structures beside insight_searchdocument, one per database.

PostgreSQL: a generated tsvector column (title weighted A, body B) with a GIN index. The text is
cut into letters-and-digits words first, as SQLite's tokenizer and the query parser cut it, so
'a@b.com' or '3.5' are the same words on both databases.

SQLite: an FTS5 table over title and body with external content (the document table itself),
kept current by triggers, so an insert, upsert or delete through Django updates it in the same
statement. Porter stemming, diacritics kept (PostgreSQL's 'english' keeps them too; the index
adds plain-letter spellings of names itself).
"""

from django.db import migrations

SQLITE_CREATE = [
    """CREATE VIRTUAL TABLE insight_searchdocument_fts USING fts5(
           title, body,
           content='insight_searchdocument', content_rowid='id',
           tokenize='porter unicode61 remove_diacritics 0'
       );""",
    """CREATE TRIGGER insight_searchdocument_fts_insert AFTER INSERT ON insight_searchdocument
       BEGIN
           INSERT INTO insight_searchdocument_fts (rowid, title, body)
           VALUES (new.id, new.title, new.body);
       END;""",
    """CREATE TRIGGER insight_searchdocument_fts_delete AFTER DELETE ON insight_searchdocument
       BEGIN
           INSERT INTO insight_searchdocument_fts (insight_searchdocument_fts, rowid, title, body)
           VALUES ('delete', old.id, old.title, old.body);
       END;""",
    """CREATE TRIGGER insight_searchdocument_fts_update AFTER UPDATE ON insight_searchdocument
       BEGIN
           INSERT INTO insight_searchdocument_fts (insight_searchdocument_fts, rowid, title, body)
           VALUES ('delete', old.id, old.title, old.body);
           INSERT INTO insight_searchdocument_fts (rowid, title, body)
           VALUES (new.id, new.title, new.body);
       END;""",
    # Rows written before this migration (none on a fresh install) are indexed too.
    "INSERT INTO insight_searchdocument_fts (insight_searchdocument_fts) VALUES ('rebuild');",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS insight_searchdocument_fts_insert;",
    "DROP TRIGGER IF EXISTS insight_searchdocument_fts_delete;",
    "DROP TRIGGER IF EXISTS insight_searchdocument_fts_update;",
    "DROP TABLE IF EXISTS insight_searchdocument_fts;",
]
POSTGRES_CREATE = [
    """ALTER TABLE insight_searchdocument ADD COLUMN search_vector tsvector
       GENERATED ALWAYS AS (
           setweight(to_tsvector('english'::regconfig,
                                 regexp_replace(title, '[^[:alnum:]]+', ' ', 'g')), 'A')
           || setweight(to_tsvector('english'::regconfig,
                                    regexp_replace(body, '[^[:alnum:]]+', ' ', 'g')), 'B')
       ) STORED;""",
    """CREATE INDEX insight_searchdocument_search_vector
       ON insight_searchdocument USING gin (search_vector);""",
]
POSTGRES_DROP = [
    "DROP INDEX IF EXISTS insight_searchdocument_search_vector;",
    "ALTER TABLE insight_searchdocument DROP COLUMN IF EXISTS search_vector;",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise RuntimeError(
                f"Safecase supports SQLite and PostgreSQL, not {schema_editor.connection.vendor}"
            )
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("insight", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        )
    ]
