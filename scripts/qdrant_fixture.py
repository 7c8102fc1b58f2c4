#!/usr/bin/env python3
"""A loopback Qdrant REST fixture for Bedside's integration tests.

    qdrant_fixture.py --port 16333 --data DIR [--host 127.0.0.1] [--api-key KEY] [--quiet]

It speaks the subset of Qdrant's REST API that Bedside uses, with the real Qdrant
engine underneath: every collection is one qdrant-edge-py EdgeShard, kept under
DIR/<collection>/shard (DIR/<collection>/collection.json holds the vector size and
distance). Request bodies are validated with qdrant-client's pydantic models
(qdrant_client.http.models); an invalid body gets 400 with Qdrant's error shape
{"status":{"error":"..."},"time":0.0}.

Endpoints
  GET    /  /healthz  /livez  /readyz
  GET    /collections
  PUT    /collections/{c}                     (409 if it exists)
  GET    /collections/{c}                     (info: config.params.vectors.size/distance, points_count)
  GET    /collections/{c}/exists
  DELETE /collections/{c}
  PUT    /collections/{c}/index               DELETE /collections/{c}/index/{field}
  PUT    /collections/{c}/points              (upsert: {"points":[…]} or {"batch":{…}})
  POST   /collections/{c}/points              (retrieve by ids)   GET /collections/{c}/points/{id}
  POST   /collections/{c}/points/query        POST /collections/{c}/points/query/batch
  POST   /collections/{c}/points/search       POST /collections/{c}/points/search/batch   (legacy)
  POST   /collections/{c}/points/delete       ({"points":[ids]} or {"filter":{…}})
  POST   /collections/{c}/points/count
  POST   /collections/{c}/points/scroll
With --api-key every endpoint but the health checks needs header `api-key: KEY`
(or `Authorization: Bearer KEY`), else 401. SIGTERM/SIGINT flush every shard and exit 0.
Only the default (unnamed) dense vector is supported; named vectors, sparse vectors,
prefetch and non-nearest queries answer 400 saying the fixture does not support them.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import importlib.metadata
import json
import os
import re
import shutil
import signal
import sys
import threading
import time
import traceback
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, List, Optional, Union
from urllib.parse import parse_qs, unquote, urlsplit

import pydantic
from pydantic import BaseModel, ConfigDict, StrictFloat, StrictStr
from qdrant_client.http import models as m

import qdrant_edge as qe

MAX_POINT_ID = 2**64 - 1
NAME_RE = re.compile(r"^[A-Za-z0-9_.\-]{1,255}$")
DISTANCES = {
    m.Distance.COSINE: qe.Distance.Cosine,
    m.Distance.EUCLID: qe.Distance.Euclid,
    m.Distance.DOT: qe.Distance.Dot,
    m.Distance.MANHATTAN: qe.Distance.Manhattan,
}
SCHEMA_TYPES = {
    "keyword": qe.PayloadSchemaType.Keyword,
    "integer": qe.PayloadSchemaType.Integer,
    "float": qe.PayloadSchemaType.Float,
    "geo": qe.PayloadSchemaType.Geo,
    "text": qe.PayloadSchemaType.Text,
    "bool": qe.PayloadSchemaType.Bool,
    "datetime": qe.PayloadSchemaType.Datetime,
    "uuid": qe.PayloadSchemaType.Uuid,
}


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


# ----------------------------------------------------------------------------- errors

class ApiError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def bad_request(msg: str) -> ApiError:
    return ApiError(400, msg)


def wrong_input(msg: str) -> ApiError:
    return ApiError(400, msg if msg.startswith("Wrong input") else f"Wrong input: {msg}")


def unsupported(what: str) -> ApiError:
    return ApiError(400, f"Wrong input: {what} is not supported by the Bedside Qdrant fixture")


def not_found(name: str) -> ApiError:
    return ApiError(404, f"Not found: Collection `{name}` doesn't exist!")


def format_error(exc: pydantic.ValidationError) -> ApiError:
    parts = []
    for err in exc.errors()[:5]:
        loc = ".".join(str(x) for x in err.get("loc", ()))
        parts.append(f"{loc}: {err.get('msg')}" if loc else str(err.get("msg")))
    return bad_request("Format error in JSON body: " + "; ".join(parts))


# ----------------------------------------------------------------------------- request models

class NamedVectorStruct(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: StrictStr
    vector: List[StrictFloat]


class LegacySearchRequest(BaseModel):
    """POST /points/search (removed from qdrant-client's models, still served by Qdrant)."""
    model_config = ConfigDict(extra="forbid")
    shard_key: Optional[Any] = None
    vector: Union[List[StrictFloat], NamedVectorStruct]
    filter: Optional[m.Filter] = None
    params: Optional[m.SearchParams] = None
    limit: int
    offset: Optional[int] = None
    with_payload: Optional[m.WithPayloadInterface] = None
    with_vector: Optional[m.WithVector] = None
    score_threshold: Optional[float] = None


class LegacySearchBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    searches: List[LegacySearchRequest]


PointInsertAdapter = pydantic.TypeAdapter(m.PointInsertOperations)
PointsSelectorAdapter = pydantic.TypeAdapter(m.PointsSelector)


def validate(model: Any, raw: bytes, default: str = "{}") -> Any:
    text = raw.decode("utf-8") if raw else default
    try:
        if isinstance(model, pydantic.TypeAdapter):
            return model.validate_json(text)
        return model.model_validate_json(text)
    except pydantic.ValidationError as exc:
        if any(e.get("type") == "json_invalid" for e in exc.errors()):
            raise bad_request(f"Format error in JSON body: {exc.errors()[0].get('msg')}")
        raise format_error(exc)
    except UnicodeDecodeError as exc:
        raise bad_request(f"Format error in JSON body: {exc}")


# ----------------------------------------------------------------------------- conversions

def point_id_in(pid: Any) -> Union[int, uuid.UUID]:
    if isinstance(pid, bool):
        raise bad_request(f"Format error in JSON body: value {pid} is not a valid point ID, "
                          "valid values are either an unsigned integer or a UUID")
    if isinstance(pid, int):
        if 0 <= pid <= MAX_POINT_ID:
            return pid
    elif isinstance(pid, uuid.UUID):
        return pid
    elif isinstance(pid, str):
        try:
            return uuid.UUID(pid)
        except ValueError:
            pass
    raise bad_request(f"Format error in JSON body: value {pid} is not a valid point ID, "
                      "valid values are either an unsigned integer or a UUID")


def point_id_out(pid: Any) -> Union[int, str]:
    if isinstance(pid, int):
        return pid
    return str(pid)


def conv_match(mt: Any) -> Any:
    if isinstance(mt, m.MatchValue):
        return qe.MatchValue(mt.value)
    if isinstance(mt, m.MatchAny):
        return qe.MatchAny(list(mt.any))
    if isinstance(mt, m.MatchExcept):
        return qe.MatchExcept(list(mt.except_))
    if isinstance(mt, m.MatchText):
        return qe.MatchText(mt.text)
    for name, attr in (("MatchTextAny", "text_any"), ("MatchPhrase", "phrase"),
                       ("MatchPrefix", "prefix"), ("MatchSubstring", "substring")):
        cls = getattr(m, name, None)
        if cls is not None and isinstance(mt, cls):
            return getattr(qe, name)(getattr(mt, attr))
    raise unsupported(f"match {type(mt).__name__}")


def _iso(v: Any) -> Optional[str]:
    if v is None:
        return None
    if isinstance(v, _dt.datetime):
        return v.isoformat()
    if isinstance(v, _dt.date):
        return v.isoformat()
    return str(v)


def _geo(p: m.GeoPoint) -> Any:
    return qe.GeoPoint(lon=p.lon, lat=p.lat)


def conv_condition(c: Any) -> Any:
    if isinstance(c, m.Filter):
        return conv_filter(c)
    if isinstance(c, m.FieldCondition):
        kw: dict[str, Any] = {}
        if c.match is not None:
            kw["match"] = conv_match(c.match)
        if c.range is not None:
            r = c.range
            if isinstance(r, m.DatetimeRange):
                kw["range"] = qe.RangeDateTime(gte=_iso(r.gte), gt=_iso(r.gt), lte=_iso(r.lte), lt=_iso(r.lt))
            else:
                kw["range"] = qe.RangeFloat(gte=r.gte, gt=r.gt, lte=r.lte, lt=r.lt)
        if c.values_count is not None:
            v = c.values_count
            kw["values_count"] = qe.ValuesCount(lt=v.lt, gt=v.gt, lte=v.lte, gte=v.gte)
        if c.geo_radius is not None:
            kw["geo_radius"] = qe.GeoRadius(_geo(c.geo_radius.center), c.geo_radius.radius)
        if c.geo_bounding_box is not None:
            kw["geo_bounding_box"] = qe.GeoBoundingBox(_geo(c.geo_bounding_box.top_left),
                                                       _geo(c.geo_bounding_box.bottom_right))
        if c.geo_polygon is not None:
            kw["geo_polygon"] = qe.GeoPolygon(
                [_geo(p) for p in c.geo_polygon.exterior.points],
                [[_geo(p) for p in ring.points] for ring in (c.geo_polygon.interiors or [])] or None)
        if c.is_empty is not None:
            kw["is_empty"] = c.is_empty
        if c.is_null is not None:
            kw["is_null"] = c.is_null
        if not kw:
            raise bad_request("Validation error in JSON body: field condition must have a condition")
        return qe.FieldCondition(c.key, **kw)
    if isinstance(c, m.IsEmptyCondition):
        return qe.IsEmptyCondition(c.is_empty.key)
    if isinstance(c, m.IsNullCondition):
        return qe.IsNullCondition(c.is_null.key)
    if isinstance(c, m.HasIdCondition):
        return qe.HasIdCondition({point_id_in(i) for i in c.has_id})
    if isinstance(c, m.HasVectorCondition):
        return qe.HasVectorCondition(c.has_vector)
    if isinstance(c, m.NestedCondition):
        return qe.NestedCondition(c.nested.key, conv_filter(c.nested.filter))
    raise unsupported(f"condition {type(c).__name__}")


def _conditions(x: Any) -> Optional[list]:
    if x is None:
        return None
    if not isinstance(x, list):
        x = [x]
    return [conv_condition(c) for c in x]


def conv_filter(f: Optional[m.Filter]) -> Optional[Any]:
    if f is None:
        return None
    min_should = None
    if f.min_should is not None:
        min_should = qe.MinShould([conv_condition(c) for c in f.min_should.conditions],
                                  f.min_should.min_count)
    return qe.Filter(must=_conditions(f.must), should=_conditions(f.should),
                     must_not=_conditions(f.must_not), min_should=min_should)


def conv_with_payload(wp: Any, default: bool) -> Any:
    if wp is None:
        return default
    if isinstance(wp, bool):
        return wp
    if isinstance(wp, list):
        return qe.PayloadSelector.Include(list(wp))
    if isinstance(wp, m.PayloadSelectorInclude):
        return qe.PayloadSelector.Include(list(wp.include))
    if isinstance(wp, m.PayloadSelectorExclude):
        return qe.PayloadSelector.Exclude(list(wp.exclude))
    raise unsupported("with_payload selector")


def wants_payload(wp: Any, default: bool) -> bool:
    if wp is None:
        return default
    if isinstance(wp, bool):
        return wp
    return True


def conv_with_vector(wv: Any) -> bool:
    if wv is None:
        return False
    if isinstance(wv, bool):
        return wv
    names = list(wv)
    for n in names:
        if n != "":
            raise wrong_input(f"Not existing vector name error: {n}")
    return bool(names)


def conv_params(p: Optional[m.SearchParams]) -> Optional[Any]:
    if p is None:
        return None
    return qe.SearchParams(hnsw_ef=p.hnsw_ef, exact=bool(p.exact), indexed_only=bool(p.indexed_only))


def vector_out(v: Any) -> Any:
    if isinstance(v, dict):
        if set(v) == {""}:
            return v[""]
        return v
    return v


def scored_out(p: Any, with_payload: bool, with_vector: bool) -> dict:
    out: dict[str, Any] = {"id": point_id_out(p.id), "version": p.version, "score": p.score}
    if with_payload:
        out["payload"] = p.payload if p.payload is not None else {}
    if with_vector and p.vector is not None:
        out["vector"] = vector_out(p.vector)
    return out


def record_out(r: Any, with_payload: bool, with_vector: bool) -> dict:
    out: dict[str, Any] = {"id": point_id_out(r.id)}
    if with_payload:
        out["payload"] = r.payload if r.payload is not None else {}
    if with_vector and r.vector is not None:
        out["vector"] = vector_out(r.vector)
    return out


# ----------------------------------------------------------------------------- storage

class Collection:
    def __init__(self, name: str, path: str, shard: Any, meta: dict):
        self.name = name
        self.path = path
        self.shard = shard
        self.meta = meta
        self.size = int(meta["size"])
        self.distance = meta["distance"]
        self.lock = threading.RLock()
        self.op_id = int(meta.get("last_operation_id", 0))

    def next_op(self) -> int:
        self.op_id += 1
        return self.op_id

    def check_dim(self, vec: Any) -> list:
        if isinstance(vec, dict):
            names = set(vec)
            if names != {""}:
                bad = sorted(n for n in names if n != "")
                raise wrong_input(f"Not existing vector name error: {bad[0] if bad else ''}")
            vec = vec[""]
        if not isinstance(vec, list) or (vec and isinstance(vec[0], list)):
            raise unsupported("multi-vector or sparse input")
        if len(vec) != self.size:
            raise wrong_input(f"Vector dimension error: expected dim: {self.size}, got {len(vec)}")
        return [float(x) for x in vec]

    def info(self) -> dict:
        with self.lock:
            inf = self.shard.info()
        schema = {}
        for key, idx in (inf.payload_schema or {}).items():
            schema[key] = {"data_type": str(idx.data_type).split(".")[-1].lower(), "points": idx.points}
        return {
            "status": "green",
            "optimizer_status": "ok",
            "indexed_vectors_count": inf.indexed_vectors_count,
            "points_count": inf.points_count,
            "segments_count": inf.segments_count,
            "config": {
                "params": {
                    "vectors": {"size": self.size, "distance": self.distance},
                    "shard_number": 1,
                    "replication_factor": 1,
                    "write_consistency_factor": 1,
                    "on_disk_payload": True,
                },
                "hnsw_config": {"m": 16, "ef_construct": 100, "full_scan_threshold": 10000,
                                "max_indexing_threads": 0, "on_disk": False},
                "optimizer_config": {"deleted_threshold": 0.2, "vacuum_min_vector_number": 1000,
                                     "default_segment_number": 0, "max_segment_size": None,
                                     "memmap_threshold": None, "indexing_threshold": 10000,
                                     "flush_interval_sec": 5, "max_optimization_threads": None},
                "wal_config": {"wal_capacity_mb": 32, "wal_segments_ahead": 0},
                "quantization_config": None,
                "strict_mode_config": {"enabled": False},
            },
            "payload_schema": schema,
        }

    def close(self) -> None:
        with self.lock:
            try:
                self.shard.flush()
            finally:
                self.shard.close()


class Store:
    def __init__(self, data_dir: str):
        self.data_dir = os.path.abspath(data_dir)
        os.makedirs(self.data_dir, exist_ok=True)
        self.lock = threading.RLock()
        self.collections: dict[str, Collection] = {}
        for name in sorted(os.listdir(self.data_dir)):
            meta_path = os.path.join(self.data_dir, name, "collection.json")
            if NAME_RE.match(name) and os.path.isfile(meta_path):
                with open(meta_path, encoding="utf-8") as fh:
                    meta = json.load(fh)
                shard_path = os.path.join(self.data_dir, name, "shard")
                shard = qe.EdgeShard.load(shard_path)
                self.collections[name] = Collection(name, shard_path, shard, meta)

    def get(self, name: str) -> Collection:
        with self.lock:
            col = self.collections.get(name)
        if col is None:
            raise not_found(name)
        return col

    def create(self, name: str, body: m.CreateCollection) -> None:
        vectors = body.vectors
        if isinstance(vectors, dict):
            if set(vectors) == {""}:
                vectors = vectors[""]
            else:
                raise unsupported("named vectors")
        if vectors is None:
            raise unsupported("a collection without a dense vector")
        if body.sparse_vectors:
            raise unsupported("sparse vectors")
        if vectors.multivector_config is not None:
            raise unsupported("multivectors")
        if vectors.size < 1:
            raise bad_request("Validation error in JSON body: [vectors.size: value 0 invalid, must be 1 or larger]")
        with self.lock:
            if name in self.collections:
                raise ApiError(409, f"Wrong input: Collection `{name}` already exists!")
            root = os.path.join(self.data_dir, name)
            if os.path.exists(root):
                shutil.rmtree(root)
            shard_path = os.path.join(root, "shard")
            os.makedirs(root)
            cfg = qe.EdgeConfig(vectors=qe.EdgeVectorParams(size=vectors.size,
                                                            distance=DISTANCES[vectors.distance]))
            shard = qe.EdgeShard.create(shard_path, cfg)
            meta = {"size": vectors.size, "distance": vectors.distance.value,
                    "created_at": _dt.datetime.now(_dt.timezone.utc).isoformat()}
            with open(os.path.join(root, "collection.json"), "w", encoding="utf-8") as fh:
                json.dump(meta, fh)
            self.collections[name] = Collection(name, shard_path, shard, meta)

    def delete(self, name: str) -> bool:
        with self.lock:
            col = self.collections.pop(name, None)
        if col is None:
            return False
        with col.lock:
            try:
                col.shard.close()
            except Exception:  # noqa: BLE001 - the folder goes anyway
                pass
            shutil.rmtree(os.path.join(self.data_dir, name), ignore_errors=True)
        return True

    def close_all(self) -> None:
        with self.lock:
            cols = list(self.collections.values())
            self.collections.clear()
        for col in cols:
            try:
                col.close()
            except Exception as exc:  # noqa: BLE001
                print(f"qdrant_fixture: closing {col.name}: {exc}", file=sys.stderr)


# ----------------------------------------------------------------------------- operations

def op_upsert(col: Collection, raw: bytes) -> tuple[list, Optional[Any]]:
    body = validate(PointInsertAdapter, raw, default="")
    points = []
    if isinstance(body, m.PointsBatch):
        b = body.batch
        vectors = b.vectors
        if isinstance(vectors, dict):
            if set(vectors) != {""}:
                raise wrong_input(f"Not existing vector name error: {sorted(vectors)[0]}")
            vectors = vectors[""]
        if len(vectors) != len(b.ids) or (b.payloads is not None and len(b.payloads) != len(b.ids)):
            raise bad_request("Validation error in JSON body: batch ids, vectors and payloads must have the same length")
        for i, pid in enumerate(b.ids):
            if not isinstance(vectors[i], list):
                raise unsupported("inference objects in vectors")
            payload = b.payloads[i] if b.payloads is not None else None
            points.append(qe.Point(point_id_in(pid), col.check_dim(vectors[i]), payload or None))
    else:
        for p in body.points:
            vec = p.vector
            if isinstance(vec, dict):
                for v in vec.values():
                    if not isinstance(v, list):
                        raise unsupported("sparse or inference vectors")
            elif not isinstance(vec, list):
                raise unsupported("inference objects in vectors")
            points.append(qe.Point(point_id_in(p.id), col.check_dim(vec), p.payload or None))
    return points, conv_filter(body.update_filter)


def op_nearest_from_query(col: Collection, query: Any) -> Any:
    if query is None:
        return None
    if isinstance(query, m.NearestQuery):
        if query.mmr is not None:
            raise unsupported("mmr")
        query = query.nearest
    if isinstance(query, list):
        return qe.Query.Nearest(col.check_dim(query))
    raise unsupported(f"query of type {type(query).__name__}")


def op_query(col: Collection, req: m.QueryRequest) -> list:
    if req.prefetch:
        raise unsupported("prefetch")
    if req.lookup_from is not None:
        raise unsupported("lookup_from")
    if req.using not in (None, ""):
        raise wrong_input(f"Not existing vector name error: {req.using}")
    with_payload = wants_payload(req.with_payload, False)
    with_vector = conv_with_vector(req.with_vector)
    limit = 10 if req.limit is None else req.limit
    qr = qe.QueryRequest(limit=limit, offset=req.offset or 0,
                         query=op_nearest_from_query(col, req.query),
                         with_vector=with_vector,
                         with_payload=conv_with_payload(req.with_payload, False),
                         filter=conv_filter(req.filter), score_threshold=req.score_threshold,
                         params=conv_params(req.params))
    with col.lock:
        found = col.shard.query(qr)
    return [scored_out(p, with_payload, with_vector) for p in found]


def op_search(col: Collection, req: LegacySearchRequest) -> list:
    vec = req.vector
    if isinstance(vec, NamedVectorStruct):
        if vec.name != "":
            raise wrong_input(f"Not existing vector name error: {vec.name}")
        vec = vec.vector
    with_payload = wants_payload(req.with_payload, False)
    with_vector = conv_with_vector(req.with_vector)
    sr = qe.SearchRequest(query=qe.Query.Nearest(col.check_dim(vec)), limit=req.limit,
                          offset=req.offset or 0, filter=conv_filter(req.filter),
                          params=conv_params(req.params), with_vector=with_vector,
                          with_payload=conv_with_payload(req.with_payload, False),
                          score_threshold=req.score_threshold)
    with col.lock:
        found = col.shard.search(sr)
    return [scored_out(p, with_payload, with_vector) for p in found]


# ----------------------------------------------------------------------------- HTTP

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "bedside-qdrant-fixture"
    disable_nagle_algorithm = True  # headers and body go out in separate writes: avoid 40 ms Nagle stalls
    store: Store = None  # type: ignore[assignment]
    api_key: Optional[str] = None
    quiet = False

    # -- plumbing
    def log_message(self, fmt: str, *args: Any) -> None:  # noqa: D401
        if not self.quiet:
            sys.stderr.write("qdrant_fixture: %s - %s\n" % (self.address_string(), fmt % args))

    def _body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                line = self.rfile.readline()
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _send(self, status: int, payload: Any, content_type: str = "application/json") -> None:
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _ok(self, result: Any, started: float) -> None:
        self._send(200, {"result": result, "status": "ok", "time": time.perf_counter() - started})

    def _error(self, status: int, message: str, started: float) -> None:
        self._send(status, {"status": {"error": message}, "time": time.perf_counter() - started})

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    def do_HEAD(self) -> None:
        self._dispatch("GET")

    def _authorized(self) -> bool:
        if not self.api_key:
            return True
        if self.headers.get("api-key") == self.api_key:
            return True
        auth = self.headers.get("Authorization") or ""
        return auth.startswith("Bearer ") and auth[7:].strip() == self.api_key

    def _dispatch(self, method: str) -> None:
        started = time.perf_counter()
        try:
            raw = self._body()
        except (ValueError, OSError):
            self._error(400, "Format error in JSON body: unreadable request body", started)
            self.close_connection = True
            return
        url = urlsplit(self.path)
        path = url.path.rstrip("/") or "/"
        query = parse_qs(url.query)
        if path in ("/healthz", "/livez"):
            self._send(200, b"healthz check passed", "text/plain")
            return
        if path == "/readyz":
            self._send(200, b"all shards are ready", "text/plain")
            return
        if not self._authorized():
            given = self.headers.get("api-key") or self.headers.get("Authorization")
            self._error(401, "Invalid API key or JWT" if given else
                        "Must provide an API key or an Authorization bearer token", started)
            return
        if path == "/" and method == "GET":  # Qdrant answers its version info unwrapped
            self._send(200, self._root())
            return
        try:
            status, result = self._route(method, path, query, raw)
            if status == 200:
                self._ok(result, started)
            else:
                self._error(status, str(result), started)
        except ApiError as exc:
            self._error(exc.status, exc.message, started)
        except Exception as exc:  # noqa: BLE001
            if type(exc) is Exception:  # errors raised by the qdrant-edge engine itself
                self._error(400, f"Wrong input: {exc}", started)
            else:
                traceback.print_exc()
                self._error(500, f"Service internal error: {exc}", started)

    # -- routes
    def _route(self, method: str, path: str, query: dict, raw: bytes) -> tuple[int, Any]:
        store = self.store
        wait = (query.get("wait") or ["false"])[0].lower() in ("true", "1")
        update_status = "completed" if wait else "acknowledged"
        if path == "/collections" and method == "GET":
            with store.lock:
                names = sorted(store.collections)
            return 200, {"collections": [{"name": n} for n in names]}
        parts = [unquote(p) for p in path.split("/")[1:]]
        if len(parts) < 2 or parts[0] != "collections":
            return 404, f"Not found: {path}"
        name = parts[1]
        if not NAME_RE.match(name) or name in (".", ".."):
            raise bad_request(f"Validation error in path parameters: [name: collection name `{name}` "
                              "may only contain letters, digits, '_', '-' and '.']")
        rest = parts[2:]

        if not rest:
            if method == "PUT":
                body = validate(m.CreateCollection, raw, default="")
                store.create(name, body)
                return 200, True
            if method == "GET":
                return 200, store.get(name).info()
            if method == "DELETE":
                return 200, store.delete(name)
            if method == "PATCH":
                store.get(name)
                return 200, True
            return 405, f"Method {method} not allowed"

        if rest == ["exists"] and method == "GET":
            with store.lock:
                return 200, {"exists": name in store.collections}

        col = store.get(name)

        if rest == ["index"] and method == "PUT":
            body = validate(m.CreateFieldIndex, raw, default="")
            schema = body.field_schema
            if schema is None:
                raise bad_request("Format error in JSON body: field_schema is required")
            type_name = schema.value if isinstance(schema, m.PayloadSchemaType) else \
                getattr(getattr(schema, "type", None), "value", None)
            if type_name not in SCHEMA_TYPES:
                raise unsupported(f"field_schema {schema!r}")
            with col.lock:
                col.shard.update(qe.UpdateOperation.create_field_index(body.field_name, SCHEMA_TYPES[type_name]))
                op = col.next_op()
            return 200, {"operation_id": op, "status": update_status}
        if len(rest) == 2 and rest[0] == "index" and method == "DELETE":
            with col.lock:
                col.shard.update(qe.UpdateOperation.delete_field_index(rest[1]))
                op = col.next_op()
            return 200, {"operation_id": op, "status": update_status}

        if rest[0] != "points":
            return 404, f"Not found: {path}"
        sub = rest[1:]

        if not sub and method == "PUT":
            points, condition = op_upsert(col, raw)
            with col.lock:
                col.shard.update(qe.UpdateOperation.upsert_points(points, condition=condition))
                op = col.next_op()
            return 200, {"operation_id": op, "status": update_status}
        if not sub and method == "POST":
            body = validate(m.PointRequest, raw, default="")
            ids = [point_id_in(i) for i in body.ids]
            with_payload = wants_payload(body.with_payload, True)
            with_vector = conv_with_vector(body.with_vector)
            with col.lock:
                recs = col.shard.retrieve(ids, with_payload=conv_with_payload(body.with_payload, True),
                                          with_vector=with_vector)
            return 200, [record_out(r, with_payload, with_vector) for r in recs]
        if len(sub) == 1 and method == "GET" and sub[0] not in ("query", "search", "count", "scroll", "delete"):
            try:
                pid = point_id_in(int(sub[0]) if sub[0].isdigit() else sub[0])
            except ApiError:
                raise bad_request(f"Wrong input: value {sub[0]} is not a valid point ID")
            with col.lock:
                recs = col.shard.retrieve([pid], with_payload=True, with_vector=True)
            if not recs:
                return 404, f"Not found: No point with id {sub[0]} found"
            return 200, record_out(recs[0], True, True)

        if method != "POST":
            return 405, f"Method {method} not allowed"

        if sub == ["query"]:
            req = validate(m.QueryRequest, raw)
            return 200, {"points": op_query(col, req)}
        if sub == ["query", "batch"]:
            req = validate(m.QueryRequestBatch, raw, default="")
            return 200, [{"points": op_query(col, r)} for r in req.searches]
        if sub == ["search"]:
            req = validate(LegacySearchRequest, raw, default="")
            return 200, op_search(col, req)
        if sub == ["search", "batch"]:
            req = validate(LegacySearchBatch, raw, default="")
            return 200, [op_search(col, r) for r in req.searches]
        if sub == ["delete"]:
            sel = validate(PointsSelectorAdapter, raw, default="")
            if isinstance(sel, m.FilterSelector):
                operation = qe.UpdateOperation.delete_points_by_filter(conv_filter(sel.filter))
            else:
                operation = qe.UpdateOperation.delete_points([point_id_in(i) for i in sel.points])
            with col.lock:
                col.shard.update(operation)
                op = col.next_op()
            return 200, {"operation_id": op, "status": update_status}
        if sub == ["count"]:
            req = validate(m.CountRequest, raw)
            cr = qe.CountRequest(exact=True if req.exact is None else req.exact, filter=conv_filter(req.filter))
            with col.lock:
                return 200, {"count": col.shard.count(cr)}
        if sub == ["scroll"]:
            req = validate(m.ScrollRequest, raw)
            with_payload = wants_payload(req.with_payload, True)
            with_vector = conv_with_vector(req.with_vector)
            order_by = None
            if req.order_by is not None:
                ob = req.order_by
                if isinstance(ob, str):
                    order_by = qe.OrderBy(ob)
                else:
                    direction = None
                    if ob.direction is not None:
                        direction = qe.Direction.Desc if ob.direction.value == "desc" else qe.Direction.Asc
                    order_by = qe.OrderBy(ob.key, direction=direction, start_from=ob.start_from)
            sr = qe.ScrollRequest(offset=None if req.offset is None else point_id_in(req.offset),
                                  limit=10 if req.limit is None else req.limit,
                                  filter=conv_filter(req.filter),
                                  with_payload=conv_with_payload(req.with_payload, True),
                                  with_vector=with_vector, order_by=order_by)
            with col.lock:
                recs, next_offset = col.shard.scroll(sr)
            return 200, {"points": [record_out(r, with_payload, with_vector) for r in recs],
                         "next_page_offset": None if next_offset is None else point_id_out(next_offset)}
        return 404, f"Not found: {path}"

    def _root(self) -> dict:
        client = _version("qdrant-client")
        major_minor = ".".join(client.split(".")[:2]) if client != "unknown" else "1.16"
        return {"title": "qdrant - vector search engine", "version": f"{major_minor}.0",
                "commit": f"bedside-qdrant-fixture/qdrant-edge-py-{_version('qdrant-edge-py')}"}


def main() -> None:
    ap = argparse.ArgumentParser(description="Loopback Qdrant REST fixture backed by qdrant-edge-py")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--data", required=True, help="folder for the collections (one EdgeShard each)")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--api-key", default=os.environ.get("QDRANT_FIXTURE_API_KEY") or None)
    ap.add_argument("--quiet", action="store_true", help="do not log every request to stderr")
    args = ap.parse_args()

    store = Store(args.data)
    Handler.store = store
    Handler.api_key = args.api_key
    Handler.quiet = args.quiet
    ThreadingHTTPServer.allow_reuse_address = True
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True

    def stop(signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"qdrant_fixture: listening on http://{args.host}:{args.port} data={store.data_dir} "
          f"collections={len(store.collections)} api_key={'set' if args.api_key else 'none'}",
          file=sys.stderr, flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        store.close_all()
        print("qdrant_fixture: stopped", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
