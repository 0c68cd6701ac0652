"""Grounded answers over the index: question analysis, support, verbatim quotes, composition."""

from vnpolicy.answer.compose import Answer, Citation, ProvinceAnswer, answer_question

__all__ = ["Answer", "Citation", "ProvinceAnswer", "answer_question"]
