"""The floor: the benchmark bundle as hand-written DuckDB SQL over the Parquet file.

Definitions shared by every contender (journeyviz's own docstrings are the reference; these
mirror them so the numbers can be compared):

- a journey is a customer's events with our brand (``brand`` = the journey's brand), ordered by
  ``timestamp`` then ``event_id``;
- funnel: a customer reaches stage k when they have an event at stage k strictly after the event
  where they reached stage k−1 (the first event at stage 0 reaches stage 0); time to reach is
  measured from the customer's first contact, in hours;
- transitions at touchpoint level, including ``(start)`` → first touchpoint and last touchpoint
  → ``(end)``: transitions, distinct customers, out-probability, median gap in seconds;
- top paths at stage level with consecutive repeats collapsed: customers, share of all customers,
  conversion (share of those customers who reached the conversion stage), the 10 commonest;
- touchpoint audit: customers reached, contacts, contacts per reached customer, median position
  of the first contact, conversion of reached and of not-reached customers, exits (journeys
  ending there);
- Markov attribution at channel level: each customer's channels strictly before their first
  conversion-stage event (all of them for non-converters), from ``(start)`` to ``(conversion)``
  or ``(null)``; converters whose first event converts go ``(start)`` → ``(direct)`` →
  ``(conversion)``; exact removal effects from the absorbing chain (``_markov.removal_effects``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import duckdb
import pandas as pd

from _markov import removal_effects

Step = tuple[str, Callable[[], pd.DataFrame]]


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def funnel_sql(stages: list[str]) -> str:
    ctes = [
        "s0 AS (SELECT customer_id, min({'ts': timestamp, 'id': event_id}) AS k "
        f"FROM ev WHERE stage = {_literal(stages[0])} GROUP BY customer_id)"
    ]
    for i, stage in enumerate(stages[1:], start=1):
        ctes.append(
            f"s{i} AS (SELECT e.customer_id, min({{'ts': e.timestamp, 'id': e.event_id}}) AS k "
            f"FROM ev e JOIN s{i - 1} p ON e.customer_id = p.customer_id "
            f"WHERE e.stage = {_literal(stage)} AND {{'ts': e.timestamp, 'id': e.event_id}} > p.k "
            "GROUP BY e.customer_id)"
        )
    ctes.append("contact AS (SELECT customer_id, min(timestamp) AS ts FROM ev GROUP BY customer_id)")
    parts = [
        f"SELECT {i} AS stage_order, {_literal(stage)} AS stage, count(*) AS reached, "
        "median(epoch(cur.k.ts - contact.ts)) / 3600 AS median_hours, "
        "quantile_cont(epoch(cur.k.ts - contact.ts), 0.9) / 3600 AS p90_hours "
        f"FROM s{i} AS cur JOIN contact USING (customer_id)"
        for i, stage in enumerate(stages)
    ]
    return f"WITH {', '.join(ctes)} " + " UNION ALL ".join(parts) + " ORDER BY stage_order"


TRANSITIONS_SQL = """
WITH o AS (
    SELECT customer_id, touchpoint, timestamp,
           lag(touchpoint) OVER w AS prev_tp, lag(timestamp) OVER w AS prev_ts,
           lead(touchpoint) OVER w AS next_tp
    FROM ev WINDOW w AS (PARTITION BY customer_id ORDER BY timestamp, event_id)
), edges AS (
    SELECT coalesce(prev_tp, '(start)') AS "from", touchpoint AS "to", count(*) AS transitions,
           count(DISTINCT customer_id) AS customers, median(epoch(timestamp - prev_ts)) AS median_seconds
    FROM o GROUP BY ALL
    UNION ALL
    SELECT touchpoint, '(end)', count(*), count(*), NULL FROM o WHERE next_tp IS NULL GROUP BY ALL
)
SELECT *, transitions / sum(transitions) OVER (PARTITION BY "from") AS probability
FROM edges ORDER BY "from", "to"
"""


def top_paths_sql(conversion: str, k: int = 10) -> str:
    return f"""
WITH o AS (
    SELECT customer_id, stage, timestamp, event_id, lag(stage) OVER w AS prev
    FROM ev WINDOW w AS (PARTITION BY customer_id ORDER BY timestamp, event_id)
), p AS (
    SELECT customer_id, string_agg(stage, ' > ' ORDER BY timestamp, event_id) AS path,
           bool_or(stage = {_literal(conversion)}) AS converted
    FROM o WHERE prev IS DISTINCT FROM stage GROUP BY customer_id
)
SELECT path, count(*) AS customers, count(*) / (SELECT count(*) FROM p) AS share,
       avg(converted::INT) AS conversion
FROM p GROUP BY path ORDER BY customers DESC, path LIMIT {int(k)}
"""


def audit_sql(conversion: str) -> str:
    return f"""
WITH o AS (
    SELECT customer_id, touchpoint, stage, row_number() OVER w AS pos,
           count(*) OVER (PARTITION BY customer_id) AS len
    FROM ev WINDOW w AS (PARTITION BY customer_id ORDER BY timestamp, event_id)
), c AS (
    SELECT customer_id, bool_or(stage = {_literal(conversion)})::INT AS converted FROM ev GROUP BY customer_id
), r AS (
    SELECT touchpoint, customer_id, count(*) AS contacts, min(pos) AS first_pos, max((pos = len)::INT) AS exited
    FROM o GROUP BY touchpoint, customer_id
), tot AS (SELECT count(*) AS n, sum(converted) AS conv FROM c)
SELECT touchpoint, count(*) AS reached, sum(contacts) AS contacts, avg(contacts) AS contacts_per_customer,
       median(first_pos) AS median_position, avg(converted) AS conversion_reached,
       (any_value(tot.conv) - sum(converted)) / nullif(any_value(tot.n) - count(*), 0) AS conversion_not_reached,
       sum(exited) AS exits
FROM r JOIN c USING (customer_id) CROSS JOIN tot
GROUP BY touchpoint ORDER BY touchpoint
"""


def markov_counts_sql(conversion: str) -> str:
    return f"""
WITH conv AS (
    SELECT customer_id, min({{'ts': timestamp, 'id': event_id}}) AS k FROM ev
    WHERE stage = {_literal(conversion)} GROUP BY customer_id
), kept AS (
    SELECT e.customer_id, e.channel, e.timestamp, e.event_id, c.k IS NOT NULL AS converted
    FROM ev e LEFT JOIN conv c USING (customer_id)
    WHERE c.k IS NULL OR {{'ts': e.timestamp, 'id': e.event_id}} < c.k
), o AS (
    SELECT customer_id, channel, converted, lag(channel) OVER w AS prev, lead(channel) OVER w AS next
    FROM kept WINDOW w AS (PARTITION BY customer_id ORDER BY timestamp, event_id)
), direct AS (
    SELECT (SELECT count(*) FROM conv) - (SELECT count(DISTINCT customer_id) FROM kept WHERE converted) AS n
)
SELECT coalesce(prev, '(start)') AS "from", channel AS "to", count(*) AS n FROM o GROUP BY ALL
UNION ALL
SELECT channel, CASE WHEN converted THEN '(conversion)' ELSE '(null)' END, count(*) FROM o WHERE next IS NULL GROUP BY ALL
UNION ALL
SELECT '(start)', '(direct)', n FROM direct WHERE n > 0
UNION ALL
SELECT '(direct)', '(conversion)', n FROM direct WHERE n > 0
"""


def steps(path: str | Path, stages: list[str], conversion: str, brand: str, memory_limit: str | None = None, database: str = ":memory:") -> list[Step]:
    """The floor's bundle as timed steps over ``path`` (one DuckDB connection, no pandas load)."""
    con = duckdb.connect(database)
    con.execute("SET enable_progress_bar = false")
    if memory_limit:
        con.execute(f"SET memory_limit = {_literal(memory_limit)}")
    con.execute(f"CREATE VIEW ev AS SELECT * FROM read_parquet({_literal(str(path))}) WHERE brand = {_literal(brand)}")

    def attribution() -> pd.DataFrame:
        counts = con.sql(markov_counts_sql(conversion)).df()
        conversions = int(counts.loc[counts["to"] == "(conversion)", "n"].sum())
        return removal_effects(counts, conversions)

    return [
        ("funnel", lambda: con.sql(funnel_sql(stages)).df()),
        ("transitions", lambda: con.sql(TRANSITIONS_SQL).df()),
        ("top_paths", lambda: con.sql(top_paths_sql(conversion)).df()),
        ("touchpoint_audit", lambda: con.sql(audit_sql(conversion)).df()),
        ("attribution", attribution),
    ]
