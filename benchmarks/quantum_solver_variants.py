"""What would make the exact quantum solver faster? Variants of its Krylov solve, side by side.

Usage: python benchmarks/quantum_solver_variants.py [--n-basis 60] [--n0 1] [--gamma-e 3]

The point: N = 2, Gamma_i = 4, gamma = 1e-3 (Fig. 4a's chain), at the fluctuation peak, where the
solver takes the most iterations. Every variant solves the same system A x = s w of
``powergrid.quantum`` to the same tolerance (1e-12) and prints its preconditioner applications,
Liouvillian applications and CPU seconds, and the largest difference of its state from
production's. All run in the lab frame (complex Hermitian blocks), where they were first measured;
the production solver now runs this chain in the real frame at about a third of the CPU for the
same applications (benchmarks/quantum_frame.py), which leaves the comparison of the variants as
it is. The variants:
  production    BiCGSTAB, symmetric block Gauss-Seidel over the sectors (quantum._solve, lab frame)
  gmres         GMRES without restart (the fewest applications a Krylov method can take)
  gcrot-recycle GCROT(20, 20), recycling its subspace from the solve at Gamma_e - 0.25
  forward-gs    BiCGSTAB with the forward sweep only (half the preconditioner's work)
  warm-start    production started from the state at Gamma_e - 0.25
  k_max         production with the total number capped where the sector populations < 1e-12
"""

import argparse
import os
import time

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[var] = "1"  # one thread, as a workflow job runs (before numpy is imported)

import numpy as np  # noqa: E402 (after the thread variables)
from numba import njit  # noqa: E402
from scipy.sparse.linalg import LinearOperator, bicgstab, gcrotmk, gmres  # noqa: E402

from powergrid import quantum as q  # noqa: E402
from powergrid.model import Network  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--n-basis", type=int, default=60)
ap.add_argument("--n0", type=float, default=1.0)
ap.add_argument("--gamma-e", type=float, default=3.0)
args = ap.parse_args()
TOL = q.DEFAULT_TOL


@njit(cache=True, nogil=True)
def _forward_gs(vc, out, work, bounds, off2, direction, source, amplitude, V, Vi, den):
    """out = (D + E)^{-1} v: the forward half of quantum._sgs."""
    work[:] = vc
    out[:] = 0.0
    for k in range(bounds.size - 1):
        q._add_jumps(out, work, k, -1.0, bounds, off2, direction, source, amplitude, 1)
        d = bounds[k + 1] - bounds[k]
        o = off2[k]
        out[o : o + d * d] = q._solve_l0(work[o : o + d * d].reshape(d, d), k, bounds, off2, V, Vi, den).ravel()


class System:
    """A x = s w of one point, with counters (as quantum._solve builds it)."""

    def __init__(self, gamma_e: float, k_max=None, sweep=q._sgs):
        net = Network.chain(2, 4.0, gamma_e, 1e-3).replace(n0=args.n0)
        model = q.QuantumModel.of(net, args.n_basis, k_max)
        self.sec, bounds = model.sectors, model.sectors.bounds
        off2, V, Vi, den, _ = q._eigen(model)
        n = self.n = int(off2[-1])
        xc, yc, work = (np.zeros(n, np.complex128) for _ in range(3))
        self.diag = np.concatenate([off2[k] + np.arange(d) * (d + 1) for k, d in enumerate(self.sec.dims)])
        w = np.zeros(n)
        w[0] = 1.0
        L = (bounds, off2, model.h_diag, model.hop_ptr, model.hop_col, model.hop_val)
        L += (model.direction, model.source, model.amplitude)
        M = (bounds, off2, model.direction, model.source, model.amplitude, V, Vi, den)
        self.apps, self.matvecs, shift = 0, 0, [1.0]

        def apply_a(x):
            self.matvecs += 1
            q._real_to_complex(x, xc, bounds, off2)
            q._liouvillian(xc, yc, *L)
            out = np.empty(n)
            q._complex_to_real(yc, out, bounds, off2)
            return out + shift[0] * x[self.diag].sum() * w

        def apply_m(x):
            self.apps += 1
            q._real_to_complex(x, xc, bounds, off2)
            sweep(xc, yc, work, *M)
            out = np.empty(n)
            q._complex_to_real(yc, out, bounds, off2)
            return out

        shift[0] = 1.0 / float(apply_m(w)[self.diag].sum())
        self.b, self.atol = shift[0] * w, TOL * abs(shift[0])
        self.A = LinearOperator((n, n), matvec=apply_a, dtype=float)
        self.M = LinearOperator((n, n), matvec=apply_m, dtype=float)
        self.bounds, self.off2 = bounds, off2

    def run(self, solve):
        self.apps = self.matvecs = 0
        t = time.process_time()
        x = solve(self)
        cpu = time.process_time() - t
        res = np.linalg.norm(self.b - self.A.matvec(x)) / np.linalg.norm(self.b)
        return x / x[self.diag].sum(), self.apps, self.matvecs, cpu, res


def full_density(x, sys_):
    """Re rho on the whole box (zero above k_max), to compare solutions of different truncations."""
    out = np.zeros((args.n_basis,) * 4)
    xc = np.empty(x.size, np.complex128)
    q._real_to_complex(x, xc, sys_.bounds, sys_.off2)
    for k, d in enumerate(sys_.sec.dims):
        st = sys_.sec.states[sys_.sec.bounds[k] : sys_.sec.bounds[k + 1]]
        rho = xc[sys_.off2[k] : sys_.off2[k + 1]].reshape(d, d).real
        out[st[:, 0][:, None], st[:, 1][:, None], st[:, 0][None, :], st[:, 1][None, :]] = rho
    return out


def bicgstab_solve(x0=None):
    return lambda s: bicgstab(s.A, s.b, x0=x0, rtol=0.0, atol=s.atol, maxiter=5000, M=s.M)[0]


print(f"N = 2, Gamma_i = 4, gamma = 1e-3, n0 = {args.n0:g}, Gamma_e = {args.gamma_e:g}, n_basis = {args.n_basis}")
before = System(args.gamma_e - 0.25)
x_before, *_ = before.run(bicgstab_solve())
cu = []
gcrotmk(before.A, before.b, rtol=0.0, atol=before.atol, maxiter=5000, M=before.M, m=20, k=20, CU=cu)

main = System(args.gamma_e)
rows = {}
rows["production"] = main.run(bicgstab_solve())
ref = rows["production"][0]
rows["gmres"] = main.run(lambda s: gmres(s.A, s.b, rtol=0.0, atol=s.atol, restart=1000, maxiter=5000, M=s.M)[0])
rows["gcrot-recycle"] = main.run(
    lambda s: gcrotmk(s.A, s.b, rtol=0.0, atol=s.atol, maxiter=5000, M=s.M, m=20, k=20, CU=cu, discard_C=True)[0]
)
rows["warm-start"] = main.run(bicgstab_solve(x0=x_before))
forward = System(args.gamma_e, sweep=_forward_gs)
rows["forward-gs"] = forward.run(bicgstab_solve())
population = np.array(
    [ref[main.diag[main.sec.bounds[k] : main.sec.bounds[k + 1]]].sum() for k in range(main.sec.n_sectors)]
)
k_max = int(np.max(np.nonzero(population > 1e-12)[0])) + 5
capped = System(args.gamma_e, k_max=k_max)
rows[f"k_max = {k_max}"] = capped.run(bicgstab_solve())

print(
    f"{'variant':16s} {'precond. apps':>14s} {'L apps':>7s} {'CPU s':>7s} {'residual':>9s} {'max |rho - prod.|':>18s}"
)
dense_ref = full_density(ref, main)
for name, (x, apps, matvecs, cpu, res) in rows.items():
    system = capped if name.startswith("k_max") else main
    diff = np.abs(full_density(x, system) - dense_ref).max()
    print(f"{name:16s} {apps:14d} {matvecs:7d} {cpu:7.2f} {res:9.1e} {diff:18.1e}")
