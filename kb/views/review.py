"""Reviewer pages under /review: the queue, claimed items and decisions."""
from flask import Blueprint

bp = Blueprint("review", __name__, url_prefix="/review")
