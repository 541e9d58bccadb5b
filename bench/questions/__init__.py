"""The questions of the benchmark suite (issue 7), each asked of Kesher and of the peer
(@neo4j/graphql, `bench/peer`) with the same variables, with a canonical form of the
answer so that the two can be checked to agree before they are timed.

    python -m bench.questions --customers 2000
"""

from __future__ import annotations

from bench.questions.activities import ACTIVITY_LIST, CALENDAR
from bench.questions.base import Data, Question, System, Variables
from bench.questions.relations import CARD, MAP2, MAP3, PATH

QUESTIONS: tuple[Question, ...] = (MAP2, MAP3, CARD, CALENDAR, ACTIVITY_LIST, PATH)

__all__ = ["QUESTIONS", "Data", "Question", "System", "Variables"]
