"""Validation of the pipeline configuration (config.yaml).

``validate_config`` checks the structure against the JSON schema (workflow/schemas/
config.schema.yaml), then what a schema cannot express (sites that exist, a connected graph,
sweep ranges, axes that fit the network, numerics that agree with each other: time steps shorter
than the times they divide, thresholds in order, continuations along increasing values). The
first problem becomes one ConfigError whose message names the key as a dotted path and its value, e.g.
``config: datasets.fig2a.network.gamma = -0.001: must be >= 0``.
"""

from __future__ import annotations

import copy
import math
import re
from pathlib import Path

import jsonschema
import yaml
from jsonschema.exceptions import best_match

from .bifurcation_curves import LINE_OPTIONS
from .continuation import ContinuationOptions
from .deterministic import SteadyStateOptions, steady_state_options_problem
from .methods.quantum import truncation_at
from .model import structure_problem
from .parameters import axis_values
from .relaxation import RelaxationOptions, relaxation_options_problem

__all__ = ["ConfigError", "check_unique_keys", "validate_config"]


class ConfigError(ValueError):
    """An invalid configuration; the message names the offending key and value."""


def validate_config(config: dict, schema_path) -> dict:
    """Return a copy of ``config`` with the schema's defaults filled in; raise ConfigError."""
    schema = _with_method_dispatch(yaml.safe_load(Path(schema_path).read_text(encoding="utf-8")))
    validator_class = _validator_class()
    validator_class.check_schema(schema)
    # Defaults are written into the instance during validation, so work on a copy.
    config = copy.deepcopy(config)
    # Before the schema: its bounds would misreport NaN ('nan < 0') and let inf pass.
    _check_finite(config, [])
    error = best_match(validator_class(schema).iter_errors(config))
    if error is not None:
        raise ConfigError(_schema_message(error))
    _check_semantics(config)
    return config


def check_unique_keys(path) -> None:
    """Refuse a YAML file in which a mapping has the same key twice (for example two datasets of
    one name): YAML loaders keep the last one silently. The message gives both lines."""

    class StrictLoader(yaml.SafeLoader):
        pass

    def mapping(loader, node, deep=False):
        seen = {}
        for key_node, _ in node.value:
            key = loader.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if key in seen and key != "<<":
                raise ConfigError(
                    f"config: {path}, line {line}: the key {key!r} appears twice in one mapping "
                    f"(first on line {seen[key]}); YAML would keep only the last"
                )
            seen[key] = line
        return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)

    StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    with open(path, encoding="utf-8") as f:
        yaml.load(f, Loader=StrictLoader)


# -- JSON schema -----------------------------------------------------------------------------


def method_names(schema: dict) -> list[str]:
    """The methods a schema defines: each ``$defs`` entry whose ``method`` is a const of its name."""
    return [
        name
        for name, d in schema["$defs"].items()
        if isinstance(d, dict) and d.get("properties", {}).get("method", {}).get("const") == name
    ]


def _with_method_dispatch(schema: dict) -> dict:
    """Add ``$defs.dataset``: a ``method`` from ``method_names``, and the closed definition of
    that method (one if/then per method, so an error names the keys of the method at hand)."""
    names = method_names(schema)
    schema["$defs"]["dataset"] = {
        "type": "object",
        "required": ["method"],
        "properties": {"method": {"enum": names}},
        "allOf": [
            {
                "if": {"required": ["method"], "properties": {"method": {"const": name}}},
                "then": {"$ref": f"#/$defs/{name}"},
            }
            for name in names
        ],
    }
    return schema


def _validator_class():
    """Draft 2020-12 validator that fills defaults and does not take 2.0 for an integer."""
    base = jsonschema.Draft202012Validator
    check_properties = base.VALIDATORS["properties"]

    def properties(validator, props, instance, schema):
        if validator.is_type(instance, "object"):
            for key, sub in props.items():
                if isinstance(sub, dict) and "default" in sub:
                    instance.setdefault(key, copy.deepcopy(sub["default"]))
        yield from check_properties(validator, props, instance, schema)

    # A float site or point count would only fail later, in range() or as an index.
    types = base.TYPE_CHECKER.redefine("integer", lambda _, x: isinstance(x, int) and not isinstance(x, bool))
    return jsonschema.validators.extend(base, {"properties": properties}, type_checker=types)


_TYPE_WORDS = {
    "number": "a number",
    "integer": "an integer",
    "string": "a string",
    "array": "a list",
    "object": "a mapping of keys to values",
    "boolean": "true or false",
    "null": "empty (null)",
}

_COMPARISONS = {"minimum": ">=", "exclusiveMinimum": ">", "maximum": "<=", "exclusiveMaximum": "<"}

_NUMBER_TEXT = re.compile(r"^[-+]?(\d[\d_]*\.?\d*|\.\d+)([eE][-+]?\d+)?$")


def _schema_message(error) -> str:
    """One line for the error best_match chose: dotted key path, value, what was expected."""
    path, value, kind = list(error.absolute_path), error.instance, error.validator
    schema = error.schema if isinstance(error.schema, dict) else {}
    note = f" ({schema['description']})" if "description" in schema else ""

    if kind == "additionalProperties":
        allowed = list(schema.get("properties", {}))
        key = next(k for k in value if k not in allowed)
        return _line(path + [key], value[key], f"unknown key {_where(path)}; allowed keys: {', '.join(allowed)}")
    if kind == "required":
        key = next(k for k in error.validator_value if k not in value)
        return f"config: {_dotted(path + [key])} is missing: a required key {_where(path)}{note}"
    if "propertyNames" in error.absolute_schema_path:
        # jsonschema reports a bad key name at its parent's path, the name as the instance
        return (
            f"config: {_dotted(path + [value])}: the name {value!r} must be "
            f"{schema.get('description', 'match ' + str(schema.get('pattern')))}"
        )
    if kind is None or (kind == "not" and error.validator_value == {}):  # the key may not be here
        trail = list(error.absolute_schema_path)
        if "dependentSchemas" in trail:
            other = trail[trail.index("dependentSchemas") + 1]
            return _line(path, value, f"not allowed together with {other!r}")
        return _line(path, value, "not allowed here")
    if kind == "type":
        wanted = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        numeric = bool({"number", "integer"} & set(wanted))
        if numeric and isinstance(value, str) and _NUMBER_TEXT.match(value):
            return f"config: {_dotted(path)} = {value!r} is a string: {_yaml_number_hint(value)}"
        expected = " or ".join(_TYPE_WORDS.get(t, t) for t in wanted)
        if numeric and isinstance(value, bool):
            return _line(path, value, f"must be {expected}; true/false is not a number")
        return _line(path, value, f"must be {expected}")
    if kind in _COMPARISONS:
        return _line(path, value, f"must be {_COMPARISONS[kind]} {error.validator_value!r}{note}")
    if kind == "enum":
        return _line(path, value, f"must be one of {', '.join(map(repr, error.validator_value))}{note}")
    if kind == "const":
        return _line(path, value, f"must be {error.validator_value!r}{note}")
    if kind == "pattern":
        expected = schema.get("description") or f"match {error.validator_value}"
        return _line(path, value, f"must be {expected}")
    if kind in ("minItems", "maxItems", "minProperties"):
        bound = "at least" if kind.startswith("min") else "at most"
        unit = "item" if kind.endswith("Items") else "entry"
        count = error.validator_value
        return _line(path, value, f"must have {bound} {count} {unit}{'s' if count != 1 else ''}{note}")
    return _line(path, value, error.message)  # a keyword the schema does not use today


def _yaml_number_hint(text: str) -> str:
    # PyYAML speaks YAML 1.1: a float needs a dot, and an exponent needs its sign.
    match = re.match(r"^([-+]?[\d_.]+)[eE]([-+]?\d+)$", text)
    if not match:
        return "write the number without quotes"
    mantissa, exponent = match.groups()
    missing = []
    if "." not in mantissa:
        mantissa, missing = mantissa + ".0", missing + ["a dot"]
    if exponent[0] not in "+-":
        exponent, missing = "+" + exponent, missing + ["a sign in the exponent"]
    if not missing:
        return "write the number without quotes"
    return f"YAML reads {text} without {' and '.join(missing)} as text; write {mantissa}e{exponent}"


# -- what the schema cannot express ----------------------------------------------------------


def _check_finite(node, path):
    if isinstance(node, float) and not math.isfinite(node):
        _fail(path, node, "must be a finite number")
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in children:
        _check_finite(child, path + [key])


def _check_semantics(config):
    for name, dataset in config["datasets"].items():
        where = ["datasets", name]
        if "x_over_n0" in dataset:
            _check_range(dataset["x_over_n0"], where + ["x_over_n0"])
        if "network" not in dataset:
            continue
        _check_network(dataset["network"], where + ["network"])
        targets = {}
        for axis in ("outer", "inner"):
            _check_range(dataset[axis], where + [axis])
            _check_counting_axis(dataset[axis], where + [axis])
            name = dataset[axis]["name"]
            if name in _NOISY_METHODS and dataset["method"] not in _NOISY_METHODS[name]:
                _fail(where + [axis, "name"], name, f"an axis of {' and '.join(_NOISY_METHODS[name])} datasets only")
            targets[axis] = _axis_target(name, dataset["network"], where + [axis, "name"])
            _check_axis_bounds(dataset[axis], where + [axis])
        n_inner = len(dataset["inner"]["values"]) if "values" in dataset["inner"] else dataset["inner"]["points"]
        for key in ("n_basis", "k_max"):
            if key in dataset and len(dataset[key]) != n_inner:
                _fail(
                    where + [key],
                    dataset[key],
                    f"needs one truncation per value of inner ({n_inner} values of {dataset['inner']['name']})",
                )
        if "n_basis" in dataset:
            _check_truncations(dataset, where)
        if "histogram" in dataset:
            for key in ("re", "im"):
                low, high = dataset["histogram"][key]
                if not low < high:
                    _fail(where + ["histogram", key], [low, high], "must be an interval [low, high] with low < high")
        if targets["outer"] == targets["inner"]:
            _fail(
                where + ["inner", "name"],
                dataset["inner"]["name"],
                f"varies the same rate as outer.name = {dataset['outer']['name']!r}; "
                "the two axes must vary different parameters",
            )
    _check_numerics(config)


def _check_truncations(dataset, where):
    """Per-point truncation lists (an entry of n_basis or k_max that is a list) need one value per
    outer value, and no k_max may exceed its point's box n_sites (n_basis - 1)."""
    outer = dataset["outer"]
    n_outer = len(axis_values(outer))
    for key in ("n_basis", "k_max"):
        for j, entry in enumerate(dataset.get(key, ())):
            if isinstance(entry, list) and len(entry) != n_outer:
                _fail(
                    where + [key, j],
                    entry,
                    f"a per-point truncation needs one value per value of outer ({n_outer} values of {outer['name']})",
                )
    if "k_max" not in dataset:
        return
    n_sites = dataset["network"]["n_sites"]
    for j, (nb, k_max) in enumerate(zip(dataset["n_basis"], dataset["k_max"])):
        for i in range(n_outer):
            box, cap = n_sites * (truncation_at(nb, i) - 1), truncation_at(k_max, i)
            if cap > box:
                _fail(
                    where + ["k_max", j] + ([i] if isinstance(k_max, list) else []),
                    cap,
                    f"k_max = {cap} exceeds the box n_sites (n_basis - 1) = {box}; leave it out for no cap",
                )


# Noise strengths and the SDE time step do not enter the deterministic equations
_NOISY_METHODS = {"n0": ("sde", "quantum"), "n_th_over_n0": ("sde", "quantum"), "dt": ("sde",)}
# Axes whose values must be > 0 (or >= 0): a rate, a time step, a saturation number
_POSITIVE_AXES = ("nu", "n0", "dt")
_NON_NEGATIVE_AXES = ("gamma_i", "gamma_e", "gamma", "n_th_over_n0", "disorder")


def _check_axis_bounds(axis, path):
    name = axis["name"]
    positive = name in _POSITIVE_AXES or name.startswith("n0_ratio@")
    if not positive and not (name in _NON_NEGATIVE_AXES or name.startswith("gamma_e")):
        return
    if "values" in axis:
        items = [(path + ["values", k], v) for k, v in enumerate(axis["values"])]
    else:
        items = [(path + ["min"], axis["min"])]
    for where, v in items:
        if v < 0 or (positive and v == 0):
            _fail(where, v, f"{name} must be {'> 0' if positive else '>= 0'}")


def _check_counting_axis(axis, path):
    """n_sites and realization count things: their values must be whole numbers (>= 2, >= 0)."""
    low = {"n_sites": 2, "realization": 0}.get(axis["name"])
    if low is None:
        return
    values = axis["values"] if "values" in axis else [axis["min"], axis["max"]]
    if "values" not in axis and axis["points"] > 1 and (axis["max"] - axis["min"]) % (axis["points"] - 1):
        _fail(path, axis, f"{axis['name']} needs whole-number steps; list them as values")
    for k, v in enumerate(values):
        if v != int(v) or v < low:
            _fail(path + (["values", k] if "values" in axis else []), v, f"a whole number >= {low} for {axis['name']}")


def _check_range(axis, path):
    if "values" in axis:
        return
    low, high, points = axis["min"], axis["max"], axis["points"]
    if low > high:
        _fail(path + ["min"], low, f"must be <= max = {high!r}")
    if points == 1 and low != high:
        _fail(
            path + ["points"],
            points,
            f"one point between min = {low!r} and max = {high!r} is ambiguous; set min = max or use values: [x]",
        )


def _check_network(network, path):
    """The structure of a network section, checked by the model's own rules (sites from 1 here)."""
    n = network["n_sites"]
    edges = network.get("edges")
    if edges is None:  # the documented default: the chain 1-2-...-N
        edges = [[i, i + 1] for i in range(1, n)]
    detuning = network.get("detuning")
    problem = structure_problem(
        n,
        [(i - 1, j - 1) for i, j in edges],
        [r["site"] - 1 for r in network["gain"]],
        [r["site"] - 1 for r in network["loss"]],
        None if detuning is None else len(detuning),
        label=lambda site: str(site + 1),
    )
    if problem is not None:
        key, expected = problem
        value = {**network, "edges": edges}
        for part in key:
            value = value[part]
        _fail(path + list(key), value, expected)


def _axis_target(name, network, path):
    """The parameter an axis sets: ('gain',), ('loss', site), ('gamma',) or ('n_sites',); fails if
    the network has no such parameter."""
    gains = [r["site"] for r in network["gain"]]
    losses = [r["site"] for r in network["loss"]]
    if name.startswith("gamma_e@"):
        site = int(name.partition("@")[2])
        if site not in losses:
            _fail(path, name, f"site {site} has no loss reservoir (loss {_sites(losses)})")
        return ("loss", site)
    if name in ("gamma", "disorder", "realization", "nu") or name in _NOISY_METHODS:
        return (name,)
    if name.startswith("n0_ratio@"):
        site = int(name.partition("@")[2])
        if site not in gains + losses:
            _fail(path, name, f"site {site} has no reservoir (gain {_sites(gains)}, loss {_sites(losses)})")
        return ("n0_ratio", site)
    if name == "n_sites":
        chain = "edges" not in network and gains == [1] and losses == [network["n_sites"]]
        if not chain:
            _fail(
                path,
                name,
                "a chain with gain at site 1 and loss at its last site (no edges); only then is the length a parameter",
            )
        return ("n_sites",)
    # gamma_e_over_gamma_i sets Gamma_e from the single Gamma_i, so it needs both to be unique
    if name in ("gamma_i", "gamma_e_over_gamma_i") and len(gains) != 1:
        _fail(path, name, f"needs a network with exactly one gain site; it has {len(gains)} ({_sites(gains)})")
    if name in ("gamma_e", "gamma_e_over_gamma_i") and len(losses) != 1:
        _fail(
            path,
            name,
            f"needs a network with exactly one loss site; it has {len(losses)} "
            f"({_sites(losses)}); name the site with gamma_e@K",
        )
    return ("gain",) if name == "gamma_i" else ("loss", losses[0])


# -- numerics that cannot be right -----------------------------------------------------------

_CONTINUATIONS = ("up", "down", "up_down")


def _check_numerics(config):
    """Options that must agree with each other: each pair is checked where the solver would
    otherwise run and write numbers that cannot be right (or that no run could make converge)."""
    # The solver and relaxation sections: the option classes' own rules, on the code defaults
    # with the config's keys over them
    _check_options(config, "solver", SteadyStateOptions, steady_state_options_problem)
    _check_options(config, "relaxation", RelaxationOptions, relaxation_options_problem)
    for name, dataset in config["datasets"].items():
        where = ["datasets", name]
        method = dataset["method"]
        if method == "saturation":
            low = dataset["x_over_n0"]["min"]  # <= max, checked above
            if low < 0:
                _fail(where + ["x_over_n0", "min"], low, "must be >= 0: x = |alpha|^2/n0 is an occupation")
        if dataset.get("protocol") in _CONTINUATIONS:
            _check_continuation(dataset, where)
        if method == "relaxation":
            _check_relaxation_fits(dataset, where)
        if method == "continuation":
            _check_branch_following(dataset, where)
        if method == "sde":
            axis = next((a for a in ("outer", "inner") if dataset[a]["name"] == "dt"), None)
            if axis is None:
                dt, dt_path = config["sde"]["dt"], ["sde", "dt"]
            else:  # the sweep sets the step of every point; the longest one matters
                dt, dt_path = _largest_value(dataset[axis], where + [axis])
            _check_times(dataset, where, dt, dt_path)
            hist = dataset.get("histogram")
            if hist and hist["every"] * dt >= dataset["t_average"]:
                _fail(
                    where + ["histogram", "every"],
                    hist["every"],
                    f"samples every {hist['every']} steps of {_ref(dt_path, dt)}, i.e. every {hist['every'] * dt:g}/g, "
                    f"not more often than once in {_ref(where + ['t_average'], dataset['t_average'])}: "
                    "a trajectory would add a single sample",
                )
        if method == "quantum":
            bound = dataset["leak_bound"]
            if bound > 1:
                _fail(
                    where + ["leak_bound"],
                    bound,
                    "must be <= 1: it bounds a population (1 accepts every truncation)",
                )
            if dataset["solver"] == "trajectories":
                t = dataset["trajectories"]
                _check_times(t, where + ["trajectories"], t["dt"], where + ["trajectories", "dt"])


def _check_options(config, section, options_class, problem_of):
    given = config[section]
    values = {**vars(options_class()), **given}

    def ref(field):
        return _ref([section, field], values[field]) + ("" if field in given else " (default)")

    problem = problem_of(values, ref)
    if problem is not None:
        field, expected = problem
        default = "" if field in given else " (default)"
        raise ConfigError(f"config: {_ref([section, field], values[field])}{default}: {expected}")


def _check_times(section, where, dt, dt_path):
    """t_transient and t_average of ``section`` (at ``where``) against the time step dt."""
    step = _ref(dt_path, dt)
    if section["t_average"] <= dt:
        _fail(where + ["t_average"], section["t_average"], f"must be longer than one time step {step}")
    if 0 < section["t_transient"] < dt:
        _fail(
            where + ["t_transient"],
            section["t_transient"],
            f"is shorter than one time step {step}: 0 for no transient, or at least one step",
        )


def _check_continuation(dataset, where):
    """up/down/up_down follow the inner axis in list order from each point's neighbour: the
    values must increase strictly, and a state can only be carried between equal networks."""
    protocol, inner, path = dataset["protocol"], dataset["inner"], where + ["inner"]
    if inner["name"] == "n_sites":
        _fail(
            path + ["name"],
            inner["name"],
            f"protocol {protocol!r} carries each state to the next inner value; "
            "it cannot carry one between chains of different length (use protocol 'random')",
        )
    reason = f"protocol {protocol!r} follows the inner axis in list order, so its values must increase strictly"
    if "values" not in inner:
        if inner["points"] > 1 and not inner["min"] < inner["max"]:
            _fail(
                path + ["min"],
                inner["min"],
                f"must be < max = {inner['max']!r} with {inner['points']} points: {reason}",
            )
        return
    values = inner["values"]
    for k in range(1, len(values)):
        if not values[k] > values[k - 1]:
            _fail(path + ["values", k], values[k], f"must be > values[{k - 1}] = {values[k - 1]!r}: {reason}")


def _check_relaxation_fits(dataset, where):
    window = dataset.get("fit_xi")
    if window is not None and not window["min"] < window["max"]:
        _fail(
            where + ["fit_xi", "min"],
            window["min"],
            f"must be < fit_xi.max = {window['max']!r}: tau_r is fitted over min <= Gamma_e - Gamma_i <= max",
        )
    if dataset.get("fit_n_exponent_at") and "n_sites" not in (dataset["outer"]["name"], dataset["inner"]["name"]):
        _fail(
            where + ["fit_n_exponent_at"],
            dataset["fit_n_exponent_at"],
            "fits tau_r ~ N^z across chain lengths: it needs n_sites as the outer or inner axis",
        )


# Parameters a branch can be followed along: continuous ones that set the network directly
_FOLLOWABLE = re.compile(r"^(gamma_i|gamma_e|gamma_e_over_gamma_i|gamma_e@[0-9]+|gamma|nu|n0_ratio@[0-9]+)$")


def _check_branch_following(dataset, where):
    """A continuation dataset follows its inner parameter across range, from starts inside it."""
    inner, bounds = dataset["inner"], dataset["range"]
    if not _FOLLOWABLE.match(inner["name"]):
        _fail(
            where + ["inner", "name"],
            inner["name"],
            "cannot be followed by continuation: use gamma_i, gamma_e, gamma_e_over_gamma_i, gamma_e@K, gamma, nu "
            "or n0_ratio@K (a continuous parameter of the network)",
        )
    if not bounds["min"] < bounds["max"]:
        _fail(where + ["range", "min"], bounds["min"], f"must be < {_ref(['range', 'max'], bounds['max'])}")
    for k, value in enumerate(axis_values(inner)):
        if not bounds["min"] <= value <= bounds["max"]:
            _fail(
                where + ["inner", "values", k] if "values" in inner else where + ["inner"],
                value,
                f"a start must lie in range [{bounds['min']}, {bounds['max']}]",
            )
    _check_steps(dataset.get("continuation") or {}, ContinuationOptions(), where + ["continuation"])
    lines = dataset.get("lines")
    if lines is None:
        return
    outer = dataset["outer"]
    if not _FOLLOWABLE.match(outer["name"]):
        _fail(where + ["outer", "name"], outer["name"], "the lines are followed along it: it must be continuous")
    if not lines["min"] < lines["max"]:
        _fail(where + ["lines", "min"], lines["min"], f"must be < {_ref(['lines', 'max'], lines['max'])}")
    for k, value in enumerate(axis_values(outer)):
        if not lines["min"] <= value <= lines["max"]:
            _fail(
                where + ["outer", "values", k] if "values" in outer else where + ["outer"],
                value,
                f"a seed of the lines must lie in lines [{lines['min']}, {lines['max']}]",
            )
    _check_steps(lines.get("continuation") or {}, LINE_OPTIONS, where + ["lines", "continuation"])


def _check_steps(numerics, defaults, where):
    step, low, high = (numerics.get(k, getattr(defaults, k)) for k in ("step", "min_step", "max_step"))
    if not low <= step <= high:
        _fail(
            where,
            numerics,
            f"needs min_step <= step <= max_step, here {low} <= {step} <= {high} (defaults where not given)",
        )


def _largest_value(axis, path):
    if "values" in axis:
        k = max(range(len(axis["values"])), key=lambda i: axis["values"][i])
        return axis["values"][k], path + ["values", k]
    return axis["max"], path + ["max"]


def _ref(path, value) -> str:
    return f"{_dotted(path)} = {value!r}"


# -- messages --------------------------------------------------------------------------------


def _fail(path, value, expected):
    raise ConfigError(_line(path, value, expected))


def _line(path, value, expected) -> str:
    text = repr(value)
    if len(text) > 120:  # a whole mapping or long list: the key path already locates it
        text = text[:117] + "..."
    return f"config: {_dotted(path)} = {text}: {expected}"


def _dotted(path) -> str:
    text = ""
    for key in path:
        text += f"[{key}]" if isinstance(key, int) else f".{key}"
    return text.lstrip(".") or "(top level)"


def _where(path) -> str:
    return f"in {_dotted(path)}" if path else "at the top level"


def _sites(sites) -> str:
    return "sites " + ", ".join(map(str, sites)) if sites else "none"
