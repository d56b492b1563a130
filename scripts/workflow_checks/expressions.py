"""GitHub expressions (a job's `if:`), evaluated as far as an event and a ref decide them.

What the event alone does not decide (inputs, vars, needs outputs, the event's payload) is
UNKNOWN, and a job whose condition is UNKNOWN may run.
"""

from __future__ import annotations

import re


class Unknown:
    """A value the event alone does not decide (inputs, vars, needs outputs, event payload)."""

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = Unknown()
STATUS_FUNCTIONS = {"success", "failure", "always", "cancelled"}
TOKEN = re.compile(
    r"""\s*(?:
      (?P<str>'(?:[^']|'')*')
    | (?P<num>\d+(?:\.\d+)?)
    | (?P<op>==|!=|<=|>=|&&|\|\||[!<>()\[\],.*])
    | (?P<ident>[A-Za-z_][A-Za-z0-9_-]*)
    )""",
    re.X,
)


def tokenize(text: str) -> list[tuple[str, str]]:
    tokens, at = [], 0
    text = text.strip()
    while at < len(text):
        m = TOKEN.match(text, at)
        if not m or m.end() == at:
            raise ValueError(f"cannot read the expression at {text[at:]!r}")
        kind = m.lastgroup
        tokens.append((kind, m.group(kind)))
        at = m.end()
        while at < len(text) and text[at].isspace():
            at += 1
    return tokens


class Expression:
    """Parses one GitHub expression into nested tuples."""

    def __init__(self, text: str):
        self.tokens = tokenize(text)
        self.at = 0
        self.tree = self.parse_or()
        if self.at != len(self.tokens):
            raise ValueError(f"unexpected {self.tokens[self.at][1]!r}")

    def peek(self) -> str | None:
        return self.tokens[self.at][1] if self.at < len(self.tokens) else None

    def take(self, want: str | None = None) -> tuple[str, str]:
        if self.at >= len(self.tokens):
            raise ValueError("the expression ends too early")
        token = self.tokens[self.at]
        if want is not None and token[1] != want:
            raise ValueError(f"expected {want!r}, found {token[1]!r}")
        self.at += 1
        return token

    def parse_binary(self, operators: tuple[str, ...], operand):
        """Operands joined by any of `operators`, from the left: ((a op b) op c)."""
        left = operand()
        while self.peek() in operators:
            op = self.take()[1]
            left = (op, left, operand())
        return left

    def parse_or(self):
        return self.parse_binary(("||",), self.parse_and)

    def parse_and(self):
        return self.parse_binary(("&&",), self.parse_equality)

    def parse_equality(self):
        return self.parse_binary(("==", "!="), self.parse_comparison)

    def parse_comparison(self):
        return self.parse_binary(("<", ">", "<=", ">="), self.parse_unary)

    def parse_unary(self):
        if self.peek() == "!":
            self.take()
            return ("!", self.parse_unary())
        return self.parse_postfix()

    def parse_postfix(self):
        node = self.parse_primary()
        while self.peek() in (".", "["):
            if self.take()[1] == ".":
                kind, name = self.take()
                node = ("index", node, ("lit", "*" if name == "*" else name))
            else:
                node = ("index", node, self.parse_or())
                self.take("]")
        return node

    def parse_primary(self):
        kind, text = self.take()
        if kind == "str":
            return ("lit", text[1:-1].replace("''", "'"))
        if kind == "num":
            return ("lit", float(text))
        if text == "(":
            node = self.parse_or()
            self.take(")")
            return node
        if kind == "ident":
            if text in ("true", "false"):
                return ("lit", text == "true")
            if text == "null":
                return ("lit", None)
            if self.peek() == "(":
                self.take("(")
                args = []
                while self.peek() != ")":
                    args.append(self.parse_or())
                    if self.peek() == ",":
                        self.take(",")
                self.take(")")
                return ("call", text.lower(), args)
            return ("context", text)
        raise ValueError(f"unexpected {text!r}")


def truthy(value) -> bool:
    return value not in (None, False, 0, 0.0, "") and value == value  # NaN is falsy


def calls(tree) -> set[str]:
    if not isinstance(tree, tuple):
        return set()
    found = {tree[1]} if tree[0] == "call" else set()
    for part in tree[1:]:
        if isinstance(part, tuple):
            found |= calls(part)
        elif isinstance(part, list):
            for item in part:
                found |= calls(item)
    return found


def loose_equal(a, b) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return a.casefold() == b.casefold()  # GitHub compares strings ignoring case

    def number(v):
        if isinstance(v, bool):
            return 1.0 if v else 0.0
        if v is None:
            return 0.0
        if isinstance(v, (int, float)):
            return float(v)
        try:
            return float(v) if str(v).strip() else 0.0
        except ValueError:
            return float("nan")

    if type(a) is type(b):
        return a == b
    return number(a) == number(b)


def evaluate(tree, contexts: dict, status: dict):
    op = tree[0]
    if op == "lit":
        return tree[1]
    if op == "context":
        return contexts.get(tree[1].lower(), UNKNOWN)
    if op == "index":
        base = evaluate(tree[1], contexts, status)
        key = evaluate(tree[2], contexts, status)
        if isinstance(base, dict) and isinstance(key, str):
            lowered = {k.lower(): v for k, v in base.items()}
            return lowered.get(key.lower(), UNKNOWN)
        return UNKNOWN
    if op == "!":
        value = evaluate(tree[1], contexts, status)
        return UNKNOWN if value is UNKNOWN else not truthy(value)
    if op in ("&&", "||"):
        left = evaluate(tree[1], contexts, status)
        if left is not UNKNOWN and (truthy(left) != (op == "&&")):
            return left  # false && x, true || x
        right = evaluate(tree[2], contexts, status)
        if left is not UNKNOWN:
            return right
        if right is not UNKNOWN and truthy(right) != (op == "&&"):
            return right  # x && false is false, x || true is true, whatever x is
        return UNKNOWN
    if op in ("==", "!=", "<", ">", "<=", ">="):
        left = evaluate(tree[1], contexts, status)
        right = evaluate(tree[2], contexts, status)
        if left is UNKNOWN or right is UNKNOWN:
            return UNKNOWN
        if op in ("==", "!="):
            return loose_equal(left, right) == (op == "==")
        if isinstance(left, (int, float)) and isinstance(right, (int, float)):
            return {"<": left < right, ">": left > right, "<=": left <= right, ">=": left >= right}[op]
        return UNKNOWN
    if op == "call":
        name, args = tree[1], [evaluate(a, contexts, status) for a in tree[2]]
        if name in STATUS_FUNCTIONS:
            return status[name]
        if name in ("contains", "startswith", "endswith") and len(args) == 2:
            if any(a is UNKNOWN for a in args):
                return UNKNOWN
            haystack, needle = args
            if name == "contains" and isinstance(haystack, list):
                return any(loose_equal(item, needle) for item in haystack)
            haystack, needle = str(haystack).casefold(), str(needle).casefold()
            return {
                "contains": needle in haystack,
                "startswith": haystack.startswith(needle),
                "endswith": haystack.endswith(needle),
            }[name]
        return UNKNOWN
    raise ValueError(f"cannot evaluate {op}")


def job_condition(job: dict) -> Expression | None:
    condition = job.get("if")
    if condition is None:
        return None
    if isinstance(condition, bool):
        condition = "true" if condition else "false"
    text = str(condition).strip()
    if text.startswith("${{") and text.endswith("}}"):
        text = text[3:-2]
    return Expression(text)
