"""The walks of a syntax tree that phantom-symbols makes: each is one loop over the nodes, since they
visit every node of every checked file and a call per node costs more than the checks."""

from __future__ import annotations

import ast
from collections.abc import Set

from gate.analyzers.source import child_fields, children

_SCOPES = frozenset({ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda})
# The node-holding fields of each node class, as `child_fields` gives them, held here for the walks
# below (one look-up a node, where a call of `child_fields` was one more call).
_FIELDS: dict[type, tuple[str, ...]] = {}


def own_reads(method: ast.FunctionDef | ast.AsyncFunctionDef, me: str) -> list[ast.Attribute]:
    """The reads `me.x` in the method, in the order of a depth-first walk (last child first), not
    descending into nested classes, nor into nested functions that bind a name `me` of their own (a
    nested handler class's `self` is another object). One loop: a walk of every node of every method
    with an added line, so calls per node cost more than the checks."""
    out: list[ast.Attribute] = []
    stack: list[ast.AST] = children(method)
    pop = stack.pop
    push = stack.append
    node_type = ast.AST
    attribute, name_type, load, class_def, scopes = ast.Attribute, ast.Name, ast.Load, ast.ClassDef, _SCOPES
    constant, fields = ast.Constant, _FIELDS
    while stack:
        node = pop()
        kind = node.__class__
        if kind is name_type or kind is constant:
            continue  # holds no node
        if kind is attribute:
            value = node.value  # type: ignore[attr-defined]
            if value.__class__ is name_type and value.id == me and node.ctx.__class__ is load:  # type: ignore[attr-defined]
                out.append(node)  # type: ignore[arg-type]
        elif kind is class_def:
            continue
        elif kind in scopes:
            args = node.args  # type: ignore[attr-defined]
            if any(a.arg == me for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)):
                continue
        names = fields.get(kind)
        if names is None:
            names = fields[kind] = child_fields(kind)
        for field in names:
            value = getattr(node, field, None)
            if value.__class__ is list:
                for item in value:  # type: ignore[union-attr]
                    if isinstance(item, node_type):
                        push(item)
            elif isinstance(value, node_type):
                push(value)
    return out


# A chain longer than this is checked the long way (its line first, then its names): the quick look
# below walks it for every attribute node of it.
_QUICK_CHAIN = 32


def may_name(node: ast.Attribute, modules: dict[str, str], classes: dict[str, list[tuple[str, str]]]) -> bool:
    """False when the chain `node` ends in is certainly not from an imported repository name: then
    neither its lines nor its names need a look."""
    value = node.value
    for _ in range(_QUICK_CHAIN):
        if value.__class__ is not ast.Attribute:
            break
        value = value.value  # type: ignore[attr-defined]
    else:
        return True
    return value.__class__ is ast.Name and (value.id in modules or value.id in classes)  # type: ignore[attr-defined]


_DEFINITIONS = frozenset({ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef})


def reads_and_bindings(tree: ast.Module, local: Set[str]) -> tuple[list[ast.AST], set[str]]:
    """One walk of every node, in `nodes`' order, for the attribute pass: the reads of an attribute
    that may hang off a name in `local` (off a name of it, or off another attribute: `may_name` decides
    those) and the classes, in walk order; and every name assigned, deleted, taken as a parameter or
    defined anywhere (an alias that is rebound is no longer the module). The walk visits each node of
    the file, so it does the three jobs of what were three passes in one loop."""
    reads: list[ast.AST] = []
    bound: set[str] = set()
    order: list[ast.AST] = [tree]
    keep, add, push = reads.append, bound.add, order.append
    fields = _FIELDS
    node_type, name_type, attribute, load = ast.AST, ast.Name, ast.Attribute, ast.Load
    arg_type, constant, class_def, definitions = ast.arg, ast.Constant, ast.ClassDef, _DEFINITIONS
    for node in order:  # grows while it is read: breadth first
        kind = node.__class__
        if kind is name_type:
            if node.ctx.__class__ is not load:  # type: ignore[attr-defined]
                add(node.id)  # type: ignore[attr-defined]  # Store or Del
            continue  # a name holds no node
        if kind is constant:
            continue
        if kind is attribute:
            if node.ctx.__class__ is load:  # type: ignore[attr-defined]
                value = node.value  # type: ignore[attr-defined]
                if value.__class__ is attribute or (value.__class__ is name_type and value.id in local):
                    keep(node)
        elif kind is arg_type:
            add(node.arg)  # type: ignore[attr-defined]
        elif kind in definitions:
            add(node.name)  # type: ignore[attr-defined]
            if kind is class_def:
                keep(node)
        names = fields.get(kind)
        if names is None:
            names = fields[kind] = child_fields(kind)
        for field in names:
            value = getattr(node, field, None)
            if value.__class__ is list:
                for item in value:  # type: ignore[union-attr]
                    if isinstance(item, node_type):
                        push(item)
            elif isinstance(value, node_type):
                push(value)
    return reads, bound
