"""Pins written as code: a digest of the peer certificate (`getpeercert(binary_form=True)`)
compared with a fixed value. A comparison of the digest's length, or with a value the caller
passes in (a parameter), is not a pin at that place."""
from __future__ import annotations

import libcst as cst

from ats_lint.scan.python.flows import is_true as _is_true
from ats_lint.scan.python.parse import walk

_DETAIL = "A digest of the peer certificate (`getpeercert(binary_form=True)`) is compared with a fixed value: this pins the certificate"


class PeerCertificateChecks:
    """Mixed into the rule visitor (which provides `sink`, `mod`, `tainted`, `_eval`...)."""

    def _peer_certificate_comparison(self, node: cst.Comparison) -> None:
        if not self.has_peer_certificate or not any(isinstance(c.operator, (cst.Equal, cst.NotEqual, cst.In, cst.NotIn)) for c in node.comparisons):
            return
        sides = [node.left, *(c.comparator for c in node.comparisons)]
        if any(isinstance(s, cst.Name) and s.value == "None" for s in sides):
            return
        if self._pins(sides):
            self.sink.add("ATS301", self.mod.span(node), "getpeercert-compare", detail=_DETAIL)

    def _peer_certificate_compare_call(self, node: cst.Call, names: set[str]) -> None:
        if self.has_peer_certificate and "hmac.compare_digest" in names or "secrets.compare_digest" in names:
            if self._pins([a.value for a in node.args]):
                self.sink.add("ATS301", self.mod.span(node), "getpeercert-compare", detail=_DETAIL)

    def _mentions_peer_certificate(self, expr: cst.CSTNode) -> bool:
        found = False
        tainted = set().union(*self.tainted)
        visitor = self

        class Find(cst.CSTVisitor):
            def visit_Call(inner, call: cst.Call) -> bool:
                nonlocal found
                if isinstance(call.func, cst.Attribute) and call.func.attr.value == visitor.peer_method:
                    for a in call.args:
                        binary = (a.keyword is not None and a.keyword.value == visitor.peer_keyword) or a.keyword is None
                        if binary and _is_true(a.value):
                            found = True
                return not found

            def visit_Name(inner, name: cst.Name) -> None:
                nonlocal found
                if name.value in tainted:
                    found = True

        walk(Find(), expr)
        return found

    def _pins(self, sides: list[cst.BaseExpression]) -> bool:
        """A peer-certificate digest on one side, and on the others a value fixed in the code:
        not its length (`len(digest) == 64`) and not a parameter passed straight in."""
        peer = [s for s in sides if self._mentions_peer_certificate(s)]
        if not peer or any(_is_len(s) for s in peer):
            return False
        others = [s for s in sides if not any(s is p for p in peer)]
        if not others:
            return False
        return not all(isinstance(o, cst.Integer) or self._eval(o).kind == "param" for o in others)


def _is_len(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name) and expr.func.value == "len"
