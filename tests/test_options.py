"""The Python API's option objects refuse values that cannot be right, with the field and its value,
by the same rules as the config's solver and relaxation sections (powergrid.config)."""

import math
import re

import numpy as np
import pytest

from powergrid.deterministic import SteadyStateOptions
from powergrid.relaxation import RelaxationOptions

# (class, keyword arguments, the whole message)
BAD = [
    # before: never returned (a negative step moves t away from t_max)
    (SteadyStateOptions, dict(dt=-0.1), "SteadyStateOptions.dt = -0.1: must be > 0"),
    # before: ZeroDivisionError
    (SteadyStateOptions, dict(dt=0.0), "SteadyStateOptions.dt = 0.0: must be > 0"),
    (SteadyStateOptions, dict(dt=0), "SteadyStateOptions.dt = 0: must be > 0"),
    # before: TypeError deep in the sampling
    (SteadyStateOptions, dict(t_max=-1.0), "SteadyStateOptions.t_max = -1.0: must be > 0"),
    (SteadyStateOptions, dict(t_max=math.inf), "SteadyStateOptions.t_max = inf: must be a finite number"),
    (SteadyStateOptions, dict(dt=math.nan), "SteadyStateOptions.dt = nan: must be a finite number"),
    (SteadyStateOptions, dict(dt="0.1"), "SteadyStateOptions.dt = '0.1': must be a real number"),
    (SteadyStateOptions, dict(t_window=True), "SteadyStateOptions.t_window = True: must be a real number"),
    (SteadyStateOptions, dict(dt=None), "SteadyStateOptions.dt = None: must be a real number"),
    (SteadyStateOptions, dict(t_settle=-1.0), "SteadyStateOptions.t_settle = -1.0: must be >= 0"),
    (SteadyStateOptions, dict(omega_tol=-1e-8), "SteadyStateOptions.omega_tol = -1e-08: must be >= 0"),
    (SteadyStateOptions, dict(start_amplitude=0.0), "SteadyStateOptions.start_amplitude = 0.0: must be > 0"),
    (SteadyStateOptions, dict(window_tol=-0.03), "SteadyStateOptions.window_tol = -0.03: must be > 0"),
    (
        SteadyStateOptions,
        dict(dt=60.0),
        "SteadyStateOptions.dt = 60.0: must be <= check_interval = 50.0: "
        "convergence is checked every whole number of RK4 steps",
    ),
    (
        SteadyStateOptions,
        dict(check_interval=600.0),
        "SteadyStateOptions.check_interval = 600.0: must be <= t_window = 500.0: "
        "a window of statistics is a whole number of check intervals",
    ),
    (
        SteadyStateOptions,
        dict(t_max=1000.0),
        "SteadyStateOptions.t_max = 1000.0: must be >= max(t_settle, t_window) + t_window = 2000.0, "
        "with t_settle = 1500.0 and t_window = 500.0: an oscillating attractor is accepted when two "
        "consecutive windows after t_settle agree, so none could converge",
    ),
    (
        SteadyStateOptions,
        dict(t_settle=0.0, t_window=4000.0, t_max=7000.0),
        "SteadyStateOptions.t_max = 7000.0: must be >= max(t_settle, t_window) + t_window = 8000.0",
    ),
    (RelaxationOptions, dict(kick=0.0), "RelaxationOptions.kick = 0.0: must be > 0"),
    (RelaxationOptions, dict(dt=-0.01), "RelaxationOptions.dt = -0.01: must be > 0"),
    (RelaxationOptions, dict(lo=math.nan), "RelaxationOptions.lo = nan: must be a finite number"),
    (RelaxationOptions, dict(lo=0.0), "RelaxationOptions.lo = 0.0: must be > 0"),
    # before: tau_r = -0.0, marked meaningful
    (
        RelaxationOptions,
        dict(hi=1e-8, lo=1e-5),
        "RelaxationOptions.hi = 1e-08: must be > lo = 1e-05: "
        "tau_r = (t_lo - t_hi)/ln(hi/lo) needs the upper threshold above the lower",
    ),
    (RelaxationOptions, dict(hi=1e-8, lo=1e-8), "RelaxationOptions.hi = 1e-08: must be > lo = 1e-08"),
    (RelaxationOptions, dict(dt=300.0), "RelaxationOptions.dt = 300.0: must be <= chunk = 200.0"),
    (
        RelaxationOptions,
        dict(t_max=600.0),
        "RelaxationOptions.t_max = 600.0: must be > 3 chunk = 600.0, with chunk = 200.0: a relaxation "
        "counts only once the deviation has stayed below lo for 3 chunks, so no tau_r could be measured",
    ),
]


@pytest.mark.parametrize(
    "cls, kwargs, message",
    BAD,
    ids=[f"{c.__name__}({', '.join(f'{k}={v!r}' for k, v in kw.items())})" for c, kw, _ in BAD],
)
def test_bad_options_are_refused_naming_field_and_value(cls, kwargs, message):
    with pytest.raises(ValueError, match="^" + re.escape(message)):
        cls(**kwargs)


@pytest.mark.parametrize("cls", [SteadyStateOptions, RelaxationOptions])
def test_defaults_are_valid_and_unchanged_by_validation(cls):
    default = cls()
    # validation does not convert or round anything: the values are the declared defaults
    assert vars(default) == {f: cls.__dataclass_fields__[f].default for f in cls.__dataclass_fields__}


def test_valid_options_keep_their_values_and_types():
    opt = SteadyStateOptions(dt=np.float64(0.05), t_max=150000, stability_tol=-1e-9, t_settle=0.0, omega_tol=0.0)
    assert opt.t_max == 150000 and isinstance(opt.t_max, int)
    assert opt.dt == 0.05 and opt.stability_tol == -1e-9
    # the borderline cases are allowed: one step per check, one check per window, t_max just enough
    SteadyStateOptions(dt=50.0, check_interval=50.0, t_window=50.0, t_settle=0.0, t_max=100.0)
    SteadyStateOptions(t_max=2000.0)
    RelaxationOptions(dt=200.0, step=200.0, chunk=200.0, t_max=600.000001)


def test_options_are_still_frozen():
    with pytest.raises(AttributeError):
        SteadyStateOptions().dt = -1.0
