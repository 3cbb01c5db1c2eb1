"""Energy transport through microscopic power grids (Huber & Rabl): the physics core.

Physics: model (the network), deterministic (noise-free steady states), relaxation (Appendix F),
linear (Appendix B), sde (noisy ensembles), quantum and quantum_trajectories (eq. 1), analytic
(the paper's formulas), ansatz (fit of eq. S17). Workflow side: parameters and sweep (sweep
points, seeds, protocols), methods (one adapter per method), runner (resumable jobs), tables
(Parquet with provenance), plotting (one module per figure), codeversion, config.
See docs/package.md.
"""

__version__ = "0.1.0"
