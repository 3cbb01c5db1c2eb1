"""Energy transport through microscopic power grids (Huber & Rabl): the physics core.

Modules: model (the network), deterministic (noise-free steady states), linear (Appendix B),
analytic (the paper's formulas), ansatz (fit of eq. S17), sweep (parameter sweeps with a
switch-on protocol), datasets (config sections -> model objects and tidy frames), tables
(Parquet with provenance), plotting (one module per figure).
"""

__version__ = "0.1.0"
