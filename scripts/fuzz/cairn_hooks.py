"""Schemathesis hooks for fuzzing Cairn's API (loaded with SCHEMATHESIS_HOOKS=cairn_hooks).

Owns what the OpenAPI document cannot say: which token each route needs, real ids to aim at,
what must not be destroyed mid-run, and the check that every 4xx is in OpenAI's error envelope.
The driver (scripts/fuzz-api.mjs) passes the tokens and ids in CAIRN_FUZZ_* variables.
"""

from __future__ import annotations

import json
import os
from functools import partial

import requests
import schemathesis
from schemathesis.core.transport import Response
from filter_strategy import expressions
from hypothesis import strategies as st

def _ids(name: str) -> list[str]:
    return [i for i in os.environ.get(name, "").split(",") if i]


USER_TOKEN = os.environ["CAIRN_FUZZ_USER_TOKEN"]
ADMIN_TOKEN = os.environ["CAIRN_FUZZ_ADMIN_TOKEN"]
USER_ID = os.environ["CAIRN_FUZZ_USER_ID"]
FILE_IDS = _ids("CAIRN_FUZZ_FILE_IDS")
# Files that stay for the whole run, so the routes after DELETE /files/{file_id} still find one.
PROTECTED_FILE_IDS = set(_ids("CAIRN_FUZZ_PROTECTED_FILE_IDS"))
WORKSPACE_IDS = _ids("CAIRN_FUZZ_WORKSPACE_IDS")
MEMBER_IDS = _ids("CAIRN_FUZZ_MEMBER_IDS")
COMPLETION_IDS = _ids("CAIRN_FUZZ_COMPLETION_IDS")
PROTECTED_COMPLETION_IDS = set(_ids("CAIRN_FUZZ_PROTECTED_COMPLETION_IDS"))
# The tokens the run authenticates with; revoking one would turn the rest of the run into 401s.
PROTECTED_TOKEN_IDS = set(_ids("CAIRN_FUZZ_PROTECTED_TOKEN_IDS"))
# Workspaces the user must stay admin of, or the membership routes fall back to 403 for the rest of the run.
PROTECTED_WORKSPACE_IDS = set(_ids("CAIRN_FUZZ_PROTECTED_WORKSPACE_IDS")) | {"default"}
# Set to make the envelope check fail on every 4xx, to prove it runs (scripts/fuzz-api.mjs --self-test).
SELF_TEST = os.environ.get("CAIRN_FUZZ_SELF_TEST") == "1"

# Routes that only the deployment admin token may call (or that it may call for anyone).
ADMIN_PATHS = r"^/(users|tokens)(/|$)"


@schemathesis.auth(refresh_interval=None).apply_to(path_regex=ADMIN_PATHS)
class AdminToken:
    """User and token management: the admin token reaches validation on every one of them."""

    def get(self, case, context):
        return ADMIN_TOKEN

    def set(self, case, data, context):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@schemathesis.auth(refresh_interval=None).skip_for(path_regex=ADMIN_PATHS)
class UserToken:
    """Everything else belongs to a user of an org; the admin token would get 403 before validation."""

    def get(self, case, context):
        return USER_TOKEN

    def set(self, case, data, context):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


# Random ids only ever reach the 404; a share of the cases aims at what the driver created instead.
REAL_IDS = {"file_id": FILE_IDS, "workspace_id": WORKSPACE_IDS, "completion_id": COMPLETION_IDS, "user_id": MEMBER_IDS}


@schemathesis.hook
def flatmap_case(context, case):
    """Some valid cases become ones that reach deeper: real ids, real members, well-formed filters.

    Only positive cases: a negative one made valid here would be "accepted invalid data" by mistake.
    """
    meta = case.meta
    if meta is None or meta.generation.mode.is_negative:
        return st.just(case)
    options = [st.just(case)]
    for name, ids in REAL_IDS.items():
        if name in (case.path_parameters or {}) and ids:
            options.append(st.sampled_from(ids).map(partial(_with_path_parameter, case, name)))
    method, path = case.method.upper(), case.operation.path
    if method == "GET" and path == "/files":
        # Alone: an unknown cursor, purpose or workspace would answer before the filter is ever run.
        # Three parts in four: the generated query has the coverage phase to itself.
        listings = st.builds(partial(_with_listing, case), expressions, st.sampled_from(["asc", "desc"]))
        options += [listings, listings, listings]
    if method == "POST" and path == "/chat/completions":
        # Mostly questions with words in them: an empty one is refused before the filter is compiled.
        texts = st.one_of(st.sampled_from(["What do ducks eat?", "logic", "typewriter offices", "patent claims"]), st.text(min_size=1, max_size=40))
        questions = st.builds(partial(_with_question, case), st.sampled_from(["l0-retrieval", "l0"]), texts, expressions, st.integers(1, 100), st.booleans())
        options += [questions, questions]
    if method in ("POST", "PUT") and path == "/workspaces/{workspace_id}/user" and isinstance(case.body, dict) and MEMBER_IDS:
        options.append(st.sampled_from(MEMBER_IDS).map(partial(_with_member, case)))
    return st.one_of(options)


# Named functions, not lambdas: Hypothesis would parse this file's source to describe a lambda.
# Each derives a new case: assigning a container marks it for schemathesis to validate again.
def _with_path_parameter(case, name, value):
    derived = case.derive(keep_auth=True)
    derived.path_parameters = {**case.path_parameters, name: value}
    return derived


def _with_listing(case, expression, order):
    return case.derive(query={"metadata": expression, "order": order}, keep_auth=True)


def _with_question(case, model, text, expression, top_k, stream):
    derived = case.derive(keep_auth=True)
    content = [{"type": "text", "text": text}, {"type": "filter", "filter": expression, "top_k": top_k}]
    derived.body = {"model": model, "stream": stream, "messages": [{"role": "user", "content": content}]}
    return derived


def _with_member(case, user):
    derived = case.derive(keep_auth=True)
    derived.body = {**case.body, "user": user}
    return derived


@schemathesis.hook
def filter_case(context, case):
    """Keeps the run's own credentials, and the user's admin access to the workspaces it relies on."""
    path_parameters = case.path_parameters or {}
    method = case.method.upper()
    if method == "DELETE" and path_parameters.get("token_id") in PROTECTED_TOKEN_IDS:
        return False
    if method == "DELETE" and path_parameters.get("file_id") in PROTECTED_FILE_IDS:
        return False
    if method == "DELETE" and path_parameters.get("completion_id") in PROTECTED_COMPLETION_IDS:
        return False
    workspace = path_parameters.get("workspace_id")
    if workspace in PROTECTED_WORKSPACE_IDS:
        if method == "DELETE" and case.operation.path == "/workspaces/{workspace_id}":
            return workspace == "default"  # refused with 409 anyway, and worth checking
        body = case.body if isinstance(case.body, dict) else {}
        if case.operation.path.startswith("/workspaces/{workspace_id}/user") and USER_ID in (body.get("user"), path_parameters.get("user_id")):
            return False
    return True


def _error_shape_problem(response) -> str | None:
    try:
        body = json.loads(response.content)
    except ValueError:
        return f"the body is not JSON: {response.content[:200]!r}"
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return f'the body has no "error" object: {response.content[:200]!r}'
    for key, allowed in (("message", (str,)), ("type", (str,)), ("param", (str, type(None))), ("code", (str, type(None)))):
        if key not in error:
            return f'error.{key} is missing'
        if not isinstance(error[key], allowed):
            return f"error.{key} is {type(error[key]).__name__}, expected {' or '.join(t.__name__ if t is not type(None) else 'null' for t in allowed)}"
    if not error["message"].strip():
        return "error.message is empty"
    return None


# wrangler's dev proxy answers this itself, with Retry-After: 0, when the local runtime under it restarted
# mid-request (it retries GET and HEAD itself): it is not an answer of Cairn's. Seen under bursts of source
# syncs crawling hosts that do not resolve. The request is sent again once, as the proxy asks, and
# written to CAIRN_FUZZ_RESTARTS_FILE for fuzz-api.mjs to report; whatever Cairn then answers is checked.
DEV_PROXY_RESTART = b"Your worker restarted mid-request"
RESTARTS_FILE = os.environ.get("CAIRN_FUZZ_RESTARTS_FILE")


@schemathesis.hook
def after_call(context, case, response):
    if response.status_code != 503 or not response.content.startswith(DEV_PROXY_RESTART):
        return
    if RESTARTS_FILE:
        with open(RESTARTS_FILE, "a") as f:
            f.write(f"{case.method} {case.formatted_path}\n")
    again = Response.from_requests(requests.Session().send(response.request, timeout=60), verify=response.verify)
    # schemathesis checks the response it passed in: it is changed in place.
    for slot in Response.__slots__:
        setattr(response, slot, getattr(again, slot))


@schemathesis.check
def openai_error_shape(ctx, response, case):
    """Every 4xx must be OpenAI's envelope {"error": {"message", "type", "param", "code"}}, as JSON."""
    if not 400 <= response.status_code < 500:
        return None
    if SELF_TEST:
        raise AssertionError(f"Self-test: the error-shape check ran on a {response.status_code}.")
    media_type = (response.headers.get("content-type") or [""])[0].split(";")[0].strip().lower()
    if media_type != "application/json":
        raise AssertionError(f"A {response.status_code} answered with Content-Type {media_type or '(none)'}, not application/json.")
    problem = _error_shape_problem(response)
    if problem:
        raise AssertionError(f"A {response.status_code} is not in OpenAI's error shape: {problem}.")
    return None
