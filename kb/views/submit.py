"""Submitter pages under /submissions: drafts, submissions, their timelines and actions."""
from flask import Blueprint

bp = Blueprint("submit", __name__, url_prefix="/submissions")
