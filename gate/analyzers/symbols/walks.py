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
# The patterns that capture a name: `name` / `... as name`, `*name`, and a mapping's `**name`.
_CAPTURES = frozenset({ast.MatchAs, ast.MatchStar, ast.MatchMapping})


def reads_and_bindings(tree: ast.Module, local: Set[str]) -> tuple[list[ast.AST], set[str]]:
    """One walk of every node, in `nodes`' order, for the attribute pass: the reads of an attribute
    that may hang off a name in `local` (off a name of it, or off another attribute: `may_name` decides
    those) and the classes, in walk order; and every name assigned, deleted, taken as a parameter,
    caught by `except ... as`, captured by a `case` pattern or defined anywhere (where an alias is
    rebound it is no longer the module: `scoped_bindings` says where, for the few that are). The walk
    visits each node of the file, so it does the three jobs of what were three passes in one loop."""
    reads: list[ast.AST] = []
    bound: set[str] = set()
    order: list[ast.AST] = [tree]
    keep, add, push = reads.append, bound.add, order.append
    fields = _FIELDS
    node_type, name_type, attribute, load = ast.AST, ast.Name, ast.Attribute, ast.Load
    arg_type, constant, class_def, definitions = ast.arg, ast.Constant, ast.ClassDef, _DEFINITIONS
    handler, captures, match_mapping = ast.ExceptHandler, _CAPTURES, ast.MatchMapping
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
        elif kind is handler and node.name:  # type: ignore[attr-defined]
            add(node.name)  # type: ignore[attr-defined]
        elif kind in definitions:
            add(node.name)  # type: ignore[attr-defined]
            if kind is class_def:
                keep(node)
        elif kind in captures:
            # `case name`, `case [*name]`, `case ... as name`, `case {**name}`: bound as by assignment.
            name = node.rest if kind is match_mapping else node.name  # type: ignore[attr-defined]
            if name:
                add(name)
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


_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_NEW_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, *_COMPREHENSIONS)
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


def scoped_bindings(tree: ast.Module, names: Set[str]) -> tuple[set[str], set[int]]:
    """Where the imported `names` that some code binds again are rebound, scope by scope, as Python
    resolves a name: the ones bound in the module's own scope (at module level, or in a function that
    declares them `global`), which name the import nowhere safely; and the ids of the reads of the
    others that sit in a function, lambda, comprehension or class body binding the name for itself
    (a parameter, an assignment, a loop or `with` target, an `except ... as`), or in a function nested
    in one: there the name is that local, and elsewhere still the module.

    Run only when a name of `names` is bound somewhere (`reads_and_bindings` says so), a walk of the
    file scope by scope."""
    module_bound: set[str] = set()
    hidden: set[int] = set()
    # (scope node, names hidden in it by the scopes around it); the module is the first scope.
    scopes: list[tuple[ast.AST, frozenset[str]]] = [(tree, frozenset())]
    while scopes:
        scope, around = scopes.pop()
        bound, declared_global, loads, inner = _scope_facts(scope, names)
        module_bound |= declared_global
        if scope is tree:
            module_bound |= bound
            own = around
        else:
            own = around | (bound - declared_global)
        hidden.update(id(load) for load in loads if load.id in own and load.id not in declared_global)
        # A class body's names are not seen from the functions in it; a function's are.
        passed = around if isinstance(scope, ast.ClassDef) else own
        scopes.extend((child, passed) for child in inner)
    return module_bound, hidden


def _scope_facts(scope: ast.AST, names: Set[str]) -> tuple[set[str], set[str], list[ast.Name], list[ast.AST]]:
    """Of one scope's own code (not that of the scopes in it): the names of `names` it binds, those it
    declares `global`, its reads of a name of `names`, and the scopes directly in it."""
    bound: set[str] = set()
    declared: set[str] = set()
    loads: list[ast.Name] = []
    inner: list[ast.AST] = []
    stack: list[ast.AST] = []
    if isinstance(scope, _FUNCTIONS):
        arguments = scope.args
        params = (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)
        bound.update(a.arg for a in (*params, arguments.vararg, arguments.kwarg) if a is not None)
        if isinstance(scope, ast.Lambda):
            stack.append(scope.body)
        else:
            stack.extend(scope.body)
    elif isinstance(scope, ast.ClassDef | ast.Module):
        stack.extend(scope.body)
    elif isinstance(scope, _COMPREHENSIONS):
        for number, generator in enumerate(scope.generators):
            stack.append(generator.target)
            stack.extend(generator.ifs)
            if number:  # the first iterable is evaluated in the scope around
                stack.append(generator.iter)
        stack.extend([scope.key, scope.value] if isinstance(scope, ast.DictComp) else [scope.elt])
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Name):
            if isinstance(node.ctx, ast.Load):
                if node.id in names:
                    loads.append(node)
            else:
                bound.add(node.id)
            continue
        if isinstance(node, ast.Global | ast.Nonlocal):
            (declared if isinstance(node, ast.Global) else bound).update(node.names)
            continue
        if isinstance(node, _NEW_SCOPES):
            inner.append(node)
            stack.extend(_evaluated_around(node))
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                bound.add(node.name)
            elif isinstance(node, _COMPREHENSIONS):
                # `:=` in a comprehension binds in the scope around it.
                bound.update(n.target.id for n in ast.walk(node) if isinstance(n, ast.NamedExpr))
            continue
        if isinstance(node, ast.ExceptHandler | ast.MatchAs | ast.MatchStar) and node.name:
            bound.add(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            bound.add(node.rest)
        stack.extend(children(node))
    return bound & names, declared & names, loads, inner


def _evaluated_around(node: ast.AST) -> list[ast.AST]:
    """The parts of a function, lambda, class or comprehension that run in the scope around it:
    decorators, defaults, annotations, bases, the first iterable."""
    if isinstance(node, _COMPREHENSIONS):
        return [node.generators[0].iter] if node.generators else []
    out: list[ast.AST] = []
    if isinstance(node, ast.ClassDef):
        out.extend(node.decorator_list)
        out.extend(node.bases)
        out.extend(k.value for k in node.keywords)
        return out
    arguments: ast.arguments = node.args  # type: ignore[attr-defined]
    out.extend(arguments.defaults)
    out.extend(d for d in arguments.kw_defaults if d is not None)
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        out.extend(node.decorator_list)
        params = (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)
        out.extend(a.annotation for a in (*params, arguments.vararg, arguments.kwarg) if a and a.annotation)
        if node.returns is not None:
            out.append(node.returns)
    return out
