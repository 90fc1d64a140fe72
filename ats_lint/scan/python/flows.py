"""Trust arguments that reach a call other than as a plain keyword: through a mapping handed
over with `**` or as an option mapping (`sslopt=`), through an option-setting call
(`curl.setopt(pycurl.CAINFO, path)`), and the calls that turn verification off in the same
breath (their store is not in use). Also: host strings that are only tested or edited."""
from __future__ import annotations

import libcst as cst

from ats_lint.scan.python.project import ParsedModule
from ats_lint.scan.python.values import STRINGS, static_text


class FlowChecks:
    """Mixed into the rule visitor (which provides `sink`, `mod`, `mappings`, `_trust`...)."""

    def _option_call(self, node: cst.Call, entry: dict, positional: list[cst.Arg], off: set[str]) -> None:
        """`curl.setopt(pycurl.CAINFO, path)`: the option's last name says what the value is."""
        if len(positional) <= max(entry["option_arg"], entry["value_arg"]) or off:
            return
        option = last_name(positional[entry["option_arg"]].value)
        if option in entry["options"]:
            argname = entry["options"][option]
            self._trust(positional[entry["value_arg"]].value, f"`{entry['method']}({option}, ...)` ({argname})", node, keyword=argname)

    def _pin_keyword(self, kw: str, value: cst.BaseExpression, anchor: cst.CSTNode, matched: str, container) -> None:
        if self._eval(value, container).kind not in ("default", "param"):
            self.sink.add("ATS301", self.mod.span(anchor), matched, detail=f"`{kw}=` pins the server certificate: {self.pin_keywords[kw]}")

    def _off_keywords(self, pairs) -> set[str]:
        """The keywords among (keyword, value) pairs that turn certificate verification off."""
        out = set()
        for kw, value in pairs:
            if kw in self.off:
                if isinstance(value, cst.SimpleString):
                    shown = static_text(value)
                else:
                    shown = last_name(value) or ""
                if shown in self.off[kw]:
                    out.add(kw)
        return out

    def _mapping_flow(self, expr: cst.BaseExpression, call: cst.Call, off: set[str], via: str | None) -> None:
        """A mapping handed to `call` (`**kw`, or an option mapping such as `sslopt=`): report each
        trust or pinning key where its value was put into the mapping, naming the call."""
        container = self._container()
        if container is None:
            return
        entries = self.mappings.entries(expr, container)
        if not entries:
            return
        off_entries = [(e.key, e.group) for e in entries if e.group is not None and self._off_keywords([(e.key, e.value)])]
        callee = short_code(self.mod, call.func)
        reached = f"`{callee}({via}=...)`" if via else f"`{callee}(**...)`"
        for e in entries:
            if e.key in self.trust_keywords:
                if off - {e.key} or any(group == e.group and key != e.key for key, group in off_entries):
                    continue
                self._trust(e.value, f"`{e.key}` (passed to {reached})", e.anchor, keyword=e.key, container=e.container)
            elif e.key in self.pin_keywords and via is None:
                self._pin_keyword(e.key, e.value, e.anchor, f"{e.key}=", e.container)

    def _consume_tested(self, node: cst.Call, method: str) -> None:
        """Strings a host is tested against or edited with (`.endswith(".s3.amazonaws.com")`,
        `.replace(".s3.amazonaws.com", "")`) name no connection: not scanned for hosts. For
        `replace`, only the text replaced (the new text may be a URL being built)."""
        args = [a for a in node.args if a.keyword is None and not a.star]
        for a in args[:1] if method == "replace" else args:
            for value in string_operands(a.value):
                self._consume(value)



def string_operands(expr: cst.BaseExpression) -> list[cst.BaseExpression]:
    """Host names and suffixes written as `expr` or as the elements of a tuple/list/set literal
    `expr`. A URL with a scheme stays a URL (`assert url == "https://..."` names the connection)."""
    if isinstance(expr, STRINGS):
        candidates = [expr]
    elif isinstance(expr, (cst.Tuple, cst.List, cst.Set)):
        candidates = [e.value for e in expr.elements if isinstance(e.value, STRINGS)]
    else:
        return []
    return [c for c in candidates if "://" not in static_text(c) and not static_text(c).startswith("//")]


def short_code(mod: ParsedModule, node: cst.CSTNode) -> str:
    text = " ".join(mod.module.code_for_node(node).split())
    return text if len(text) <= 60 else text[:57] + "..."


def last_name(expr: cst.BaseExpression) -> str | None:
    if isinstance(expr, cst.Name):
        return expr.value
    if isinstance(expr, cst.Attribute):
        return expr.attr.value
    return None


def is_true(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.Name) and expr.value == "True" or isinstance(expr, cst.Integer) and expr.value != "0"


