"""The network model: oscillators, couplings, saturable gain and loss, thermal bath.

Units: g = 1 (every rate is in units of the hopping g), amplitudes are scaled by sqrt(n0),
currents are in units of g*n0, where n0 is the reference saturation number of the network.
A reservoir may saturate at a different number, given relative to n0 by ``n0_ratio``.
Sites are indexed from 0 here; tables and config label them from 1, as the paper does.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Reservoir:
    """Saturable gain or loss at one site: rate Gamma * f^2(|alpha|^2), f = (1 + n/n0)^(-nu/2)."""

    site: int
    rate: float
    n0_ratio: float = 1.0

    def __post_init__(self):
        _require(isinstance(self.site, (int, np.integer)) and self.site >= 0, "site", self.site, "a site index >= 0")
        _require(_finite(self.rate) and self.rate >= 0, "rate", self.rate, "a finite rate >= 0")
        _require(_finite(self.n0_ratio) and self.n0_ratio > 0, "n0_ratio", self.n0_ratio, "a finite number > 0")


@dataclass(frozen=True)
class Network:
    """An immutable, validated oscillator network (eqs. 1 and 3-5 of the paper, on any graph).

    ``edges`` couple sites i, j with -(g/2)(a_i^dag a_j + h.c.); the orientation (i, j) of an edge
    is the direction in which its current J = g Im(alpha_i^* alpha_j) counts as positive.
    """

    n_sites: int
    edges: tuple[tuple[int, int], ...]
    gain: tuple[Reservoir, ...]
    loss: tuple[Reservoir, ...]
    gamma: float
    nu: float = 2.0
    n0: float = 1.0
    n_th_over_n0: float = 0.0
    detuning: tuple[float, ...] | None = None

    def __post_init__(self):
        _require(
            isinstance(self.n_sites, (int, np.integer)) and self.n_sites >= 2,
            "n_sites",
            self.n_sites,
            "an integer >= 2",
        )
        object.__setattr__(self, "edges", tuple((int(i), int(j)) for i, j in self.edges))
        object.__setattr__(self, "gain", tuple(self.gain))
        object.__setattr__(self, "loss", tuple(self.loss))
        detuning = None if self.detuning is None else len(self.detuning)
        problem = structure_problem(
            self.n_sites, self.edges, [r.site for r in self.gain], [r.site for r in self.loss], detuning
        )
        if problem is not None:
            key, expected = problem
            value = getattr(self, key[0])
            for part in key[1:]:
                value = value[part] if isinstance(part, int) else getattr(value, part)
            raise ValueError(f"invalid network: {_dotted(key)} = {value!r}: {expected}")
        _require(_finite(self.gamma) and self.gamma >= 0, "gamma", self.gamma, "a finite rate >= 0")
        _require(_finite(self.nu) and self.nu > 0, "nu", self.nu, "a finite exponent > 0")
        _require(_finite(self.n0) and self.n0 > 0, "n0", self.n0, "a finite number > 0")
        _require(
            _finite(self.n_th_over_n0) and self.n_th_over_n0 >= 0,
            "n_th_over_n0",
            self.n_th_over_n0,
            "a finite number >= 0",
        )
        if self.detuning is None:
            object.__setattr__(self, "detuning", (0.0,) * self.n_sites)
        object.__setattr__(self, "detuning", tuple(float(d) for d in self.detuning))
        _require(len(self.detuning) == self.n_sites, "detuning", self.detuning, f"{self.n_sites} values")
        _require(all(_finite(d) for d in self.detuning), "detuning", self.detuning, "finite values")

    # -- constructors ---------------------------------------------------------------------------
    @classmethod
    def chain(
        cls,
        n_sites: int,
        gamma_i: float,
        gamma_e: float,
        gamma: float,
        *,
        nu: float = 2.0,
        n0_ratio_gain: float = 1.0,
        n0_ratio_loss: float = 1.0,
        **kwargs,
    ) -> Network:
        """Chain 1-2-...-N with gain at the first and loss at the last site (the paper's Fig. 1)."""
        edges = tuple((l, l + 1) for l in range(n_sites - 1))
        return cls(
            n_sites=n_sites,
            edges=edges,
            gain=(Reservoir(0, gamma_i, n0_ratio_gain),),
            loss=(Reservoir(n_sites - 1, gamma_e, n0_ratio_loss),),
            gamma=gamma,
            nu=nu,
            **kwargs,
        )

    def resized_chain(self, n_sites: int) -> Network:
        """The same chain (gain at the first, loss at the last site) with another length."""
        chain = (
            self.edges == tuple((l, l + 1) for l in range(self.n_sites - 1))
            and [r.site for r in self.gain] == [0]
            and [r.site for r in self.loss] == [self.n_sites - 1]
        )
        _require(chain, "n_sites", n_sites, "a chain with gain at its first and loss at its last site")
        _require(not any(self.detuning), "detuning", self.detuning, "none, to change the chain's length")
        return Network.chain(
            n_sites,
            self.gain[0].rate,
            self.loss[0].rate,
            self.gamma,
            nu=self.nu,
            n0_ratio_gain=self.gain[0].n0_ratio,
            n0_ratio_loss=self.loss[0].n0_ratio,
            n0=self.n0,
            n_th_over_n0=self.n_th_over_n0,
        )

    def replace(self, **changes) -> Network:
        return dataclasses.replace(self, **changes)

    def with_rates(
        self, gamma_i: float | None = None, gamma_e: float | None = None, loss_site: int | None = None
    ) -> Network:
        """A copy with new gain and/or loss rates; ``loss_site`` picks one loss reservoir of several."""
        gain, loss = self.gain, self.loss
        if gamma_i is not None:
            _require(len(gain) == 1, "gamma_i", gamma_i, "a network with exactly one gain site")
            gain = (dataclasses.replace(gain[0], rate=float(gamma_i)),)
        if gamma_e is not None:
            if loss_site is None:
                _require(len(loss) == 1, "gamma_e", gamma_e, "a network with one loss site (or name the site)")
                loss_site = loss[0].site
            _require(loss_site in [r.site for r in loss], "loss site", loss_site, "a site with a loss reservoir")
            loss = tuple(dataclasses.replace(r, rate=float(gamma_e)) if r.site == loss_site else r for r in loss)
        return dataclasses.replace(self, gain=gain, loss=loss)

    # -- arrays for the solvers ------------------------------------------------------------------
    @property
    def adjacency(self) -> np.ndarray:
        a = np.zeros((self.n_sites, self.n_sites))
        for i, j in self.edges:
            a[i, j] = a[j, i] = 1.0
        return a

    def linear_matrix(self) -> np.ndarray:
        """M of d(alpha)/dt = M alpha + saturable terms: hopping, detuning and bath damping gamma."""
        return -0.5 * self.gamma * np.eye(self.n_sites) - 1j * np.diag(self.detuning) + 0.5j * self.adjacency

    def saturable_rates(self) -> tuple[np.ndarray, np.ndarray]:
        """Per site: signed bare rate (+Gamma_i at gain, -Gamma_e at loss, 0 elsewhere) and n0_ratio."""
        rate = np.zeros(self.n_sites)
        n0_ratio = np.ones(self.n_sites)
        for r in self.gain:
            rate[r.site], n0_ratio[r.site] = r.rate, r.n0_ratio
        for r in self.loss:
            rate[r.site], n0_ratio[r.site] = -r.rate, r.n0_ratio
        return rate, n0_ratio

    def unsaturated_matrix(self) -> np.ndarray:
        """The linear chain of Appendix B: Gamma(alpha) replaced by its bare value Gamma."""
        rate, _ = self.saturable_rates()
        return self.linear_matrix() + np.diag(0.5 * rate)

    @property
    def edge_array(self) -> np.ndarray:
        return np.array(self.edges, dtype=np.int64).reshape(-1, 2)


def saturation_factor(occupation, n0_ratio=1.0, nu=2.0):
    """f^2(n) = (1 + n/n0)^(-nu), the factor by which a saturable rate is reduced (eq. S4)."""
    return (1.0 + np.asarray(occupation) / n0_ratio) ** (-nu)


def structure_problem(n_sites: int, edges, gain_sites, loss_sites, n_detuning=None, label=str):
    """The first structural problem of a network, or None: (key, what is wrong), where key is the
    path of the offending field (``("edges", 3)``, ``("loss", 0, "site")``, ``("detuning",)``).
    Sites are 0-based and printed with ``label``: the config, which numbers sites from 1, checks
    its network sections with this same function (``powergrid.config``)."""
    n = n_sites
    first = {}
    for k, (i, j) in enumerate(edges):
        if not (0 <= i < n and 0 <= j < n):
            return ("edges", k), f"an edge to a missing site; sites are {label(0)}..{label(n - 1)}"
        if i == j:
            return ("edges", k), "a self-loop; an edge joins two different sites"
        pair = frozenset((i, j))
        if pair in first:
            low, high = sorted((i, j))
            return (
                "edges",
                k,
            ), f"a duplicate edge; edges[{first[pair]}] already joins sites {label(low)} and {label(high)}"
        first[pair] = k
    unreached = _unreached(n, edges)
    if unreached:
        return ("edges",), (
            f"the graph is not connected: site(s) {', '.join(map(label, unreached))} have no path to site {label(0)}"
        )
    owner = {}  # site -> the reservoir already placed there
    for kind, sites in (("gain", gain_sites), ("loss", loss_sites)):
        for k, site in enumerate(sites):
            if not 0 <= site < n:
                return (kind, k, "site"), f"must be a site in {label(0)}..{label(n - 1)}"
            if site in owner:
                return (
                    kind,
                    k,
                    "site",
                ), f"site {label(site)} already has a reservoir ({owner[site]}); at most one per site"
            owner[site] = f"{kind}[{k}]"
    if n_detuning is not None and n_detuning != n:
        return ("detuning",), f"has {n_detuning} values; must have one per site (n_sites = {n})"
    return None


def _unreached(n: int, edges) -> list[int]:
    nbrs = [[] for _ in range(n)]
    for i, j in edges:
        nbrs[i].append(j)
        nbrs[j].append(i)
    seen, stack = {0}, [0]
    while stack:
        for k in nbrs[stack.pop()]:
            if k not in seen:
                seen.add(k)
                stack.append(k)
    return sorted(set(range(n)) - seen)


def _dotted(key) -> str:
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in key).lstrip(".")


def _finite(x) -> bool:
    try:
        return math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def _require(ok: bool, name: str, value, expected: str):
    if not ok:
        raise ValueError(f"invalid network: {name} = {value!r}; expected {expected}")


def bipartite_colours(net: Network) -> np.ndarray | None:
    """The sublattice (0 or 1) of each site, or None if the network is not bipartite."""
    colour = -np.ones(net.n_sites, int)
    neighbours = [[] for _ in range(net.n_sites)]
    for i, j in net.edges:
        neighbours[i].append(j)
        neighbours[j].append(i)
    for root in range(net.n_sites):
        if colour[root] >= 0:
            continue
        colour[root], stack = 0, [root]
        while stack:
            i = stack.pop()
            for j in neighbours[i]:
                if colour[j] < 0:
                    colour[j] = 1 - colour[i]
                    stack.append(j)
                elif colour[j] == colour[i]:
                    return None
    return colour
