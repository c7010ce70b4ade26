"""Compiled templates shared by every app a test process builds, and kept between runs.

Each app has its own Jinja environment, and compiling the templates again for each test's new
app was a third of a page test's time: every app of a process shares one bytecode cache (Jinja's
BytecodeCache API). Where Python keeps its own bytecode in one folder (PYTHONPYCACHEPREFIX, as
`make test` sets it), the compiled templates are also written beside it, with Jinja's
FileSystemBytecodeCache: the other test processes and the later runs load them instead of
compiling them again (~0.6 s of CPU per process for the pages the i18n walk renders).

Nothing stale is loaded: Jinja keeps each template's compiled code with a checksum of its source
and the Jinja and Python versions, and recompiles when they differ; the folder's name is a
fingerprint of the environment's settings that change the compiled code (syntax, extensions,
autoescaping, policies...), so an app configured otherwise uses a folder of its own.
"""
from __future__ import annotations

import hashlib
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import jinja2
from jinja2.bccache import Bucket


class SharedTemplateCache(jinja2.BytecodeCache):
    """Compiled templates kept in memory for every app of the process, and on disk when a
    folder is given."""

    def __init__(self, folder: Path | None) -> None:
        self.compiled: dict[str, bytes] = {}
        self.disk = None
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
            self.disk = jinja2.FileSystemBytecodeCache(str(folder))

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])  # checked against the source
        elif self.disk is not None:
            self.disk.load_bytecode(bucket)
            if bucket.code is not None:
                self.compiled[bucket.key] = bucket.bytecode_to_string()

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()
        if self.disk is not None:
            self.disk.dump_bytecode(bucket)  # written whole, then renamed: no reader sees half


_CACHES: dict[str, SharedTemplateCache] = {}


def for_environment(env: jinja2.Environment) -> SharedTemplateCache:
    """The shared cache for environments configured as ``env`` is."""
    fingerprint = hashlib.sha256(repr(_settings(env)).encode()).hexdigest()[:16]
    if fingerprint not in _CACHES:
        prefix = sys.pycache_prefix
        folder = Path(prefix, "jinja2", fingerprint) if prefix else None
        _CACHES[fingerprint] = SharedTemplateCache(folder)
    return _CACHES[fingerprint]


def _settings(env: jinja2.Environment) -> tuple[Any, ...]:
    """What the code Jinja compiles a template into depends on, besides the template."""

    def name(value: Any) -> Any:
        return getattr(value, "__qualname__", value) if callable(value) else value

    return (
        metadata.version("jinja2"), metadata.version("flask"),
        env.block_start_string, env.block_end_string, env.variable_start_string,
        env.variable_end_string, env.comment_start_string, env.comment_end_string,
        env.line_statement_prefix, env.line_comment_prefix, env.trim_blocks,
        env.lstrip_blocks, env.newline_sequence, env.keep_trailing_newline, env.optimized,
        env.is_async, name(env.autoescape), name(env.finalize), name(env.undefined),
        sorted(env.extensions), getattr(env, "newstyle_gettext", None),
        sorted((key, name(value)) for key, value in env.policies.items()),
    )
