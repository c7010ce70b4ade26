"""gzip for text responses (HTML, CSS, JSON, CSV, Atom) when the client accepts it."""
from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterable, Iterator

from flask import Flask, Response, request

COMPRESSIBLE = frozenset({
    "text/html", "text/css", "text/csv", "text/plain", "text/javascript", "application/json",
    "application/atom+xml", "application/xml", "application/javascript", "image/svg+xml",
})
MIN_SIZE = 500  # below this, gzip's own header and checksum outweigh the saving
LEVEL = 6  # zlib's default: most of the gain of 9 at a fraction of the CPU
BODYLESS = (204, 206, 304)


def _accepts_gzip() -> bool:
    return request.accept_encodings["gzip"] > 0


def _gzip_stream(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Compress a streamed body chunk by chunk, so an export still starts at once."""
    compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, 16 + zlib.MAX_WBITS)  # gzip framing
    for chunk in chunks:
        data = compressor.compress(chunk)
        if data:
            yield data
    yield compressor.flush()


def compress(response: Response) -> Response:
    """Gzip ``response`` when the client accepts it and it is worth it; always say Vary."""
    if response.mimetype not in COMPRESSIBLE or "Content-Encoding" in response.headers:
        return response
    response.vary.add("Accept-Encoding")
    if not _accepts_gzip() or request.method == "HEAD":
        return response
    etag, weak = response.get_etag()
    if etag and not weak:
        # The bytes differ from the uncompressed answer's; a weak validator still matches
        # If-None-Match (weak comparison), so 304s keep working across encodings.
        response.set_etag(etag, weak=True)
    if response.status_code in BODYLESS:
        return response
    if response.is_streamed and not response.direct_passthrough:
        response.response = _gzip_stream(response.iter_encoded())
        response.headers.pop("Content-Length", None)
    else:
        response.direct_passthrough = False  # static files: read them to compress them
        body = response.get_data()
        if len(body) < MIN_SIZE:
            return response
        response.set_data(gzip.compress(body, LEVEL, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    return response


def init_app(app: Flask) -> None:
    """Compress after every other after_request hook has shaped the response."""
    app.after_request(compress)
