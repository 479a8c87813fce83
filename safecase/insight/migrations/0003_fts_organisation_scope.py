"""SQLite: the FTS5 index also holds each document's organisation, as one word in a ``scope``
column ('o' and the organisation's 32 hex digits), so a search matches "this organisation and
these words" inside FTS5 instead of matching the words across every organisation and checking
each hit afterwards (211 ms for a common name at county scale, see benchmarks/README.md).

The FTS5 table reads its external content through a view that adds the scope to each document
row; the triggers give it the same. PostgreSQL is unchanged: its GIN index is ANDed with the
(organisation, kind) index already.
"""

from django.db import migrations

SQLITE_DROP_OLD = [
    "DROP TRIGGER IF EXISTS insight_searchdocument_fts_insert;",
    "DROP TRIGGER IF EXISTS insight_searchdocument_fts_delete;",
    "DROP TRIGGER IF EXISTS insight_searchdocument_fts_update;",
    "DROP TABLE IF EXISTS insight_searchdocument_fts;",
]

SQLITE_CREATE = [
    """CREATE VIEW insight_searchdocument_fts_source AS
       SELECT id, title, body, 'o' || organisation_id AS scope FROM insight_searchdocument;""",
    """CREATE VIRTUAL TABLE insight_searchdocument_fts USING fts5(
           title, body, scope,
           content='insight_searchdocument_fts_source', content_rowid='id',
           tokenize='porter unicode61 remove_diacritics 0'
       );""",
    """CREATE TRIGGER insight_searchdocument_fts_insert AFTER INSERT ON insight_searchdocument
       BEGIN
           INSERT INTO insight_searchdocument_fts (rowid, title, body, scope)
           VALUES (new.id, new.title, new.body, 'o' || new.organisation_id);
       END;""",
    """CREATE TRIGGER insight_searchdocument_fts_delete AFTER DELETE ON insight_searchdocument
       BEGIN
           INSERT INTO insight_searchdocument_fts
               (insight_searchdocument_fts, rowid, title, body, scope)
           VALUES ('delete', old.id, old.title, old.body, 'o' || old.organisation_id);
       END;""",
    """CREATE TRIGGER insight_searchdocument_fts_update AFTER UPDATE ON insight_searchdocument
       BEGIN
           INSERT INTO insight_searchdocument_fts
               (insight_searchdocument_fts, rowid, title, body, scope)
           VALUES ('delete', old.id, old.title, old.body, 'o' || old.organisation_id);
           INSERT INTO insight_searchdocument_fts (rowid, title, body, scope)
           VALUES (new.id, new.title, new.body, 'o' || new.organisation_id);
       END;""",
    "INSERT INTO insight_searchdocument_fts (insight_searchdocument_fts) VALUES ('rebuild');",
]

SQLITE_DROP_NEW = [*SQLITE_DROP_OLD, "DROP VIEW IF EXISTS insight_searchdocument_fts_source;"]

# Going back re-creates 0002's table and triggers.
SQLITE_CREATE_OLD = [
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
    "INSERT INTO insight_searchdocument_fts (insight_searchdocument_fts) VALUES ('rebuild');",
]


def _sqlite_only(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("insight", "0002_fulltext")]

    operations = [
        migrations.RunPython(
            _sqlite_only([*SQLITE_DROP_OLD, *SQLITE_CREATE]),
            _sqlite_only([*SQLITE_DROP_NEW, *SQLITE_CREATE_OLD]),
        )
    ]
