-- kehoach PostgreSQL store, schema version 1.
-- Applied by `kehoach db init` in one transaction; the version is recorded
-- in kehoach_schema.

CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public;

-- Diacritics removed and lower case, as the folded columns hold them
-- (đ → d, ơ → o, …): for ad-hoc SQL over the typed columns.
CREATE OR REPLACE FUNCTION kehoach_fold(t text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, t)) $$;

-- How often the phrase `w` occurs in the positioned words `a` (word i at
-- element i, '' where there is none).
CREATE OR REPLACE FUNCTION kehoach_phrase_freq(a text[], w text[]) RETURNS integer
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT
    AS $$
    DECLARE
        n integer := cardinality(w);
        found integer := 0;
        p integer;
    BEGIN
        FOREACH p IN ARRAY coalesce(array_positions(a, w[1]), '{}') LOOP
            IF a[p:p + n - 1] = w THEN
                found := found + 1;
            END IF;
        END LOOP;
        RETURN found;
    END
    $$;

-- The order plans were imported in (ties of equal scores rank in this order).
CREATE SEQUENCE plan_ord;

-- One row per imported file.
CREATE TABLE plans (
    id           text PRIMARY KEY,          -- first 16 hex digits of file_sha256
    ord          bigint NOT NULL DEFAULT nextval('plan_ord'),
    file_path    text NOT NULL,             -- the imported file (ARCHIVE!/inner for archive entries)
    file_sha256  text NOT NULL,
    task_count   integer NOT NULL,
    imported_at  timestamptz NOT NULL DEFAULT now(),
    schema       text NOT NULL,
    format       text,
    doc_type     text,
    number       text,
    issuer       text,                      -- trimmed, NFC (the issuer facet)
    issuer_code  text,                      -- trimmed, upper case
    place        text,
    date         date,
    year         integer,
    title        text,
    issuer_words text[] NOT NULL,           -- folded words of the issuer (the issuer filter)
    record       jsonb NOT NULL             -- the plan record without its tasks (schema, source, meta, warnings)
);
CREATE INDEX plans_file_path ON plans (file_path);
CREATE INDEX plans_year ON plans (year);

-- One row per task record.
CREATE TABLE tasks (
    plan_id       text NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    seq           integer NOT NULL,
    number        text,
    section       text,
    level         integer NOT NULL,
    parent        integer,
    content       text,
    lead          text,
    support       text,
    deadline      text,
    product       text,
    lead_units    text[] NOT NULL,          -- as extracted
    support_units text[] NOT NULL,
    due_kind      text,
    due_by        date,
    target_count  integer NOT NULL,
    record        jsonb NOT NULL,           -- the task record
    -- Search columns, filled by the importer with the embedded index's rules.
    lead_facets   text[] NOT NULL,          -- lead units as filed (NFC, trimmed)
    lead_words    text[] NOT NULL,          -- their folded words by position
    w_text_exact  text[] NOT NULL,          -- content words by position ('' between values)
    w_text_fold   text[] NOT NULL,
    w_more_exact  text[] NOT NULL,          -- product, lead, support, deadline
    w_more_fold   text[] NOT NULL,
    n_text_exact  smallint NOT NULL,        -- field length ids (BM25)
    n_text_fold   smallint NOT NULL,
    n_more_exact  smallint NOT NULL,
    n_more_fold   smallint NOT NULL,
    words         text[] NOT NULL,          -- every distinct word of the four fields
    PRIMARY KEY (plan_id, seq)
);
-- Diacritic-insensitive matching: the folded (and exact) words as a tsvector.
CREATE INDEX tasks_words ON tasks USING gin (array_to_tsvector(words));
CREATE INDEX tasks_due_by ON tasks (due_by);

-- One row per numeric target of a task.
CREATE TABLE targets (
    plan_id text NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    seq     integer NOT NULL,
    idx     integer NOT NULL,
    metric  text NOT NULL,
    op      text NOT NULL,
    value   double precision NOT NULL,
    unit    text NOT NULL,
    text    text NOT NULL,
    PRIMARY KEY (plan_id, seq, idx)
);

-- Extraction warnings of a plan.
CREATE TABLE warnings (
    plan_id text NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    idx     integer NOT NULL,
    code    text NOT NULL,
    message text NOT NULL,
    seq     integer,
    PRIMARY KEY (plan_id, idx)
);

-- BM25 statistics, kept by the importers: documents per word and field
-- (field 0–3: content exact, content folded, other columns exact, folded),
-- and under the word '' the words of each field (field 0–3) and the
-- documents (field -1: plans and tasks, as the embedded index counts them).
CREATE TABLE term_stats (
    field smallint NOT NULL,
    term  text NOT NULL,
    n     bigint NOT NULL,
    PRIMARY KEY (field, term)
);

-- For analysts: one row per task with its plan's columns.
CREATE VIEW tasks_flat AS
SELECT p.id AS plan_id, p.file_path, p.number AS plan_number, p.year, p.date AS plan_date,
       p.issuer, p.issuer_code, p.place, p.title AS plan_title,
       t.seq, t.number, t.section, t.level, t.parent, t.content, t.lead, t.support,
       t.deadline, t.product, t.lead_units, t.support_units, t.due_kind, t.due_by,
       t.target_count
FROM tasks t JOIN plans p ON p.id = t.plan_id;

-- For analysts: every target with the year and issuer of its plan.
CREATE VIEW targets_by_year AS
SELECT p.year, p.issuer, p.issuer_code, p.place, g.metric, g.op, g.value, g.unit,
       g.text, p.id AS plan_id, g.seq, t.content AS task
FROM targets g
JOIN plans p ON p.id = g.plan_id
JOIN tasks t ON t.plan_id = g.plan_id AND t.seq = g.seq;
