"""A second validator for our statements, independent of ralph-malph's pydantic models: a JSON
Schema of the xAPI 1.0.3 statement written here from the specification (xAPI-Data.md, part
two), checked with ``jsonschema``, and the MUST rules a schema cannot express, checked in
Python (``must_violations``). ``statement_problems`` runs both and lists every problem.

Written for the statements a Learning Record Provider sends (no ``stored``/``authority`` of
its own, though an LRS's copy with them also passes), and strict where the specification is:
unknown properties are refused everywhere but in extensions.
"""

import math
import re
import uuid
from datetime import datetime
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator

UUID_PATTERN = (
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-5][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$"
)
# An absolute IRI: a scheme, a colon, and no white space (RFC 3987; checked further below).
IRI_PATTERN = r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$"
# RFC 5646 language tags: language[-script][-region][-variant]*, or a private use tag.
LANGUAGE_TAG = re.compile(
    r"^(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4,8})"
    r"(?:-[A-Za-z]{4})?(?:-(?:[A-Za-z]{2}|[0-9]{3}))?"
    r"(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*$|^x(?:-[A-Za-z0-9]{1,8})+$"
)
# ISO 8601 durations as xAPI uses them (2.4.5: PnYnMnDTnHnMnS or PnW).
DURATION = re.compile(
    r"^P(?:(?=\d|T\d)(?:\d+Y)?(?:\d+M)?(?:\d+D)?(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?)?"
    r"|\d+W)$"
)
INTERACTION_TYPES = (
    "true-false", "choice", "fill-in", "long-fill-in", "matching", "performance",
    "sequencing", "likert", "numeric", "other",
)  # fmt: skip
# 2.4.4.1.2: the component lists each interaction type may have.
COMPONENTS = {
    "choice": {"choices"},
    "sequencing": {"choices"},
    "likert": {"scale"},
    "matching": {"source", "target"},
    "performance": {"steps"},
}
CMI_INTERACTION = "http://adlnet.gov/expapi/activities/cmi.interaction"

SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$ref": "#/$defs/statement",
    "$defs": {
        "uuid": {"type": "string", "pattern": UUID_PATTERN},
        "iri": {"type": "string", "pattern": IRI_PATTERN},
        "languageMap": {
            "type": "object",
            "minProperties": 1,
            "propertyNames": {"pattern": LANGUAGE_TAG.pattern},
            "additionalProperties": {"type": "string"},
        },
        "extensions": {
            "type": "object",
            "propertyNames": {"pattern": IRI_PATTERN},
        },
        "account": {
            "type": "object",
            "required": ["homePage", "name"],
            "properties": {
                "homePage": {"$ref": "#/$defs/iri"},
                "name": {"type": "string", "minLength": 1},
            },
            "additionalProperties": False,
        },
        "agent": {
            "type": "object",
            "properties": {
                "objectType": {"const": "Agent"},
                "name": {"type": "string"},
                "mbox": {"type": "string", "pattern": "^mailto:[^@\\s]+@[^@\\s]+$"},
                "mbox_sha1sum": {"type": "string", "pattern": "^[0-9a-f]{40}$"},
                "openid": {"$ref": "#/$defs/iri"},
                "account": {"$ref": "#/$defs/account"},
            },
            "additionalProperties": False,
            # Exactly one inverse functional identifier (2.4.2.3).
            "oneOf": [
                {"required": ["mbox"]},
                {"required": ["mbox_sha1sum"]},
                {"required": ["openid"]},
                {"required": ["account"]},
            ],
        },
        "verb": {
            "type": "object",
            "required": ["id"],
            "properties": {
                "id": {"$ref": "#/$defs/iri"},
                "display": {"$ref": "#/$defs/languageMap"},
            },
            "additionalProperties": False,
        },
        "component": {
            "type": "object",
            "required": ["id"],
            "properties": {
                "id": {"type": "string", "minLength": 1},
                "description": {"$ref": "#/$defs/languageMap"},
            },
            "additionalProperties": False,
        },
        "components": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/component"}},
        "definition": {
            "type": "object",
            "properties": {
                "name": {"$ref": "#/$defs/languageMap"},
                "description": {"$ref": "#/$defs/languageMap"},
                "type": {"$ref": "#/$defs/iri"},
                "moreInfo": {"$ref": "#/$defs/iri"},
                "extensions": {"$ref": "#/$defs/extensions"},
                "interactionType": {"enum": list(INTERACTION_TYPES)},
                "correctResponsesPattern": {"type": "array", "items": {"type": "string"}},
                "choices": {"$ref": "#/$defs/components"},
                "scale": {"$ref": "#/$defs/components"},
                "source": {"$ref": "#/$defs/components"},
                "target": {"$ref": "#/$defs/components"},
                "steps": {"$ref": "#/$defs/components"},
            },
            "additionalProperties": False,
            # Interaction properties only with an interactionType (2.4.4.1.2).
            "dependentRequired": {
                key: ["interactionType"]
                for key in ("correctResponsesPattern", "choices", "scale", "source", "target")
                + ("steps",)
            },
        },
        "activity": {
            "type": "object",
            "required": ["id"],
            "properties": {
                "objectType": {"const": "Activity"},
                "id": {"$ref": "#/$defs/iri"},
                "definition": {"$ref": "#/$defs/definition"},
            },
            "additionalProperties": False,
        },
        "activities": {
            "oneOf": [
                {"$ref": "#/$defs/activity"},
                {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/activity"}},
            ]
        },
        "score": {
            "type": "object",
            "minProperties": 1,
            "properties": {
                "scaled": {"type": "number", "minimum": -1, "maximum": 1},
                "raw": {"type": "number"},
                "min": {"type": "number"},
                "max": {"type": "number"},
            },
            "additionalProperties": False,
        },
        "result": {
            "type": "object",
            "properties": {
                "score": {"$ref": "#/$defs/score"},
                "success": {"type": "boolean"},
                "completion": {"type": "boolean"},
                "response": {"type": "string"},
                "duration": {"type": "string", "pattern": DURATION.pattern},
                "extensions": {"$ref": "#/$defs/extensions"},
            },
            "additionalProperties": False,
        },
        "context": {
            "type": "object",
            "properties": {
                "registration": {"$ref": "#/$defs/uuid"},
                "instructor": {"$ref": "#/$defs/agent"},
                "contextActivities": {
                    "type": "object",
                    "minProperties": 1,
                    "properties": {
                        key: {"$ref": "#/$defs/activities"}
                        for key in ("parent", "grouping", "category", "other")
                    },
                    "additionalProperties": False,
                },
                "revision": {"type": "string"},
                "platform": {"type": "string"},
                "language": {"type": "string", "pattern": LANGUAGE_TAG.pattern},
                "statement": {
                    "type": "object",
                    "required": ["objectType", "id"],
                    "properties": {
                        "objectType": {"const": "StatementRef"},
                        "id": {"$ref": "#/$defs/uuid"},
                    },
                    "additionalProperties": False,
                },
                "extensions": {"$ref": "#/$defs/extensions"},
            },
            "additionalProperties": False,
        },
        "statement": {
            "type": "object",
            "required": ["actor", "verb", "object"],
            "properties": {
                "id": {"$ref": "#/$defs/uuid"},
                "actor": {"$ref": "#/$defs/agent"},
                "verb": {"$ref": "#/$defs/verb"},
                "object": {"$ref": "#/$defs/activity"},
                "result": {"$ref": "#/$defs/result"},
                "context": {"$ref": "#/$defs/context"},
                "timestamp": {"type": "string"},
                "stored": {"type": "string"},
                "authority": {"$ref": "#/$defs/agent"},
                "version": {"type": "string", "pattern": r"^1\.0(\.[0-9]+)?$"},
            },
            "additionalProperties": False,
        },
    },
}
Draft202012Validator.check_schema(SCHEMA)
VALIDATOR = Draft202012Validator(SCHEMA)


def schema_violations(statement: dict) -> list[str]:
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '(statement)'}: {error.message}"
        for error in VALIDATOR.iter_errors(statement)
    ]


def _iri_problem(value) -> str | None:
    if not isinstance(value, str):
        return "not a string"
    parts = urlsplit(value)
    if not parts.scheme or re.search(r"\s", value):
        return "not an absolute IRI"
    if parts.scheme in ("http", "https") and not parts.hostname:
        return "an http(s) IRI without a host"
    return None


def _language_map_problems(where: str, value) -> list[str]:
    if not isinstance(value, dict):
        return [f"{where}: a language map must be an object"]
    return [
        f"{where}: {tag!r} is not an RFC 5646 language tag"
        for tag in value
        if not LANGUAGE_TAG.match(tag)
    ]


def _timestamp_problem(value) -> str | None:
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return "not ISO 8601"
    if "T" not in value or moment.tzinfo is None:
        return "ISO 8601 without a time zone"
    return None


def _activities(statement: dict):
    """(where, activity) for the object and every context activity."""
    yield "object", statement.get("object") or {}
    context_activities = (statement.get("context") or {}).get("contextActivities") or {}
    for key, value in context_activities.items():
        for n, activity in enumerate(value if isinstance(value, list) else [value]):
            yield f"context.contextActivities.{key}[{n}]", activity


def _responses(interaction: str, value: str, definition: dict) -> list[str]:
    """Problems of one response or correct response pattern in the format of 2.4.4.1.3."""
    if interaction == "true-false":
        return [] if value in ("true", "false") else [f"{value!r} is not true or false"]
    if interaction in ("choice", "sequencing"):
        known = {c["id"] for c in definition.get("choices", [])}
        ids = value.split("[,]") if value else []
        unknown = [i for i in ids if i not in known]
        problems = [f"{i!r} is not one of the choices" for i in unknown]
        if len(set(ids)) != len(ids):
            problems.append(f"{value!r} repeats a choice")
        return problems
    if interaction == "matching":
        sources = {c["id"] for c in definition.get("source", [])}
        targets = {c["id"] for c in definition.get("target", [])}
        problems = []
        for pair in value.split("[,]"):
            source, separator, target = pair.partition("[.]")
            if not separator or source not in sources or target not in targets:
                problems.append(f"{pair!r} is not source[.]target of the components")
        return problems
    return []


def _interaction_problems(where: str, activity: dict, result: dict | None) -> list[str]:
    definition = activity.get("definition") or {}
    interaction = definition.get("interactionType")
    if interaction is None:
        return []
    problems = []
    if definition.get("type") != CMI_INTERACTION:
        problems.append(f"{where}: an interaction activity's type should be {CMI_INTERACTION}")
    allowed = COMPONENTS.get(interaction, set())
    for key in ("choices", "scale", "source", "target", "steps"):
        if key in definition and key not in allowed:
            problems.append(f"{where}: {interaction} has no {key} list")
        components = definition.get(key) or []
        ids = [component.get("id") for component in components]
        if len(set(ids)) != len(ids):
            problems.append(f"{where}.{key}: component ids must be unique")
        for component in components:
            if "[,]" in str(component.get("id")) or "[.]" in str(component.get("id")):
                problems.append(f"{where}.{key}: a component id contains a delimiter")
            if "description" in component:
                problems += _language_map_problems(f"{where}.{key}", component["description"])
    if interaction in ("choice", "sequencing", "matching"):
        for key in allowed:
            if not definition.get(key):
                problems.append(f"{where}: {interaction} needs its {key} list")
    for pattern in definition.get("correctResponsesPattern", []):
        problems += [f"{where}.correctResponsesPattern: {p}" for p in _responses(
            interaction, pattern, definition
        )]  # fmt: skip
    if result and "response" in result:
        problems += [f"result.response: {p}" for p in _responses(
            interaction, result["response"], definition
        )]  # fmt: skip
    return problems


def _score_problems(score: dict) -> list[str]:
    problems = []
    numbers = {k: v for k, v in score.items() if k in ("scaled", "raw", "min", "max")}
    for key, value in numbers.items():
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            problems.append(f"result.score.{key}: not a finite number")
    if problems:
        return problems
    if "scaled" in numbers and not -1 <= numbers["scaled"] <= 1:
        problems.append("result.score.scaled: outside [-1, 1]")
    low, high, raw = numbers.get("min"), numbers.get("max"), numbers.get("raw")
    if low is not None and high is not None and not low < high:
        problems.append(f"result.score: min {low} is not less than max {high}")
    if raw is not None and ((low is not None and raw < low) or (high is not None and raw > high)):
        problems.append(f"result.score.raw {raw} is outside [{low}, {high}]")
    return problems


def must_violations(statement: dict) -> list[str]:
    """The MUST rules of xAPI 1.0.3 (and this platform's profile) a schema does not check."""
    problems = []
    try:
        if uuid.UUID(statement.get("id", "")).version not in (1, 2, 3, 4, 5):
            problems.append("id: not an RFC 4122 UUID")
    except (TypeError, ValueError, AttributeError):
        problems.append("id: not a UUID")
    timestamp = statement.get("timestamp")
    if timestamp is None:
        problems.append("timestamp: missing (the platform always sets it)")
    elif problem := _timestamp_problem(timestamp):
        problems.append(f"timestamp: {problem}")
    actor = statement.get("actor") or {}
    account = actor.get("account") or {}
    if not account.get("homePage") or not account.get("name"):
        problems.append("actor: must be an account with homePage and name")
    for forbidden in ("mbox", "mbox_sha1sum", "openid", "name"):
        if forbidden in actor:
            problems.append(f"actor: carries {forbidden} (the learner must stay pseudonymous)")
    iris = [("actor.account.homePage", account.get("homePage"))]
    verb = statement.get("verb") or {}
    iris.append(("verb.id", verb.get("id")))
    if "display" in verb:
        problems += _language_map_problems("verb.display", verb["display"])
    result = statement.get("result")
    for where, activity in _activities(statement):
        iris.append((f"{where}.id", activity.get("id")))
        definition = activity.get("definition") or {}
        for key in ("type", "moreInfo"):
            if key in definition:
                iris.append((f"{where}.definition.{key}", definition[key]))
        for key in ("name", "description"):
            if key in definition:
                problems += _language_map_problems(f"{where}.definition.{key}", definition[key])
        for key in definition.get("extensions") or {}:
            iris.append((f"{where}.definition.extensions", key))
        problems += _interaction_problems(where, activity, result if where == "object" else None)
    if result:
        if "score" in result:
            problems += _score_problems(result["score"])
        if "duration" in result and not DURATION.match(str(result["duration"])):
            problems.append("result.duration: not an ISO 8601 duration")
        for key in result.get("extensions") or {}:
            iris.append(("result.extensions", key))
    context = statement.get("context") or {}
    if "language" in context and not LANGUAGE_TAG.match(str(context["language"])):
        problems.append("context.language: not an RFC 5646 language tag")
    if "registration" in context:
        try:
            uuid.UUID(str(context["registration"]))
        except ValueError:
            problems.append("context.registration: not a UUID")
    for key in context.get("extensions") or {}:
        iris.append(("context.extensions", key))
    for where, value in iris:
        if problem := _iri_problem(value):
            problems.append(f"{where}: {problem} ({value!r})")
    return problems


def statement_problems(statement: dict) -> list[str]:
    """Every problem the schema and the MUST rules find; empty for a valid statement."""
    return schema_violations(statement) + must_violations(statement)
