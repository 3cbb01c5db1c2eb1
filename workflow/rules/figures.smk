# Figures: each reads tables only (never solves), renders PDF + PNG, and is a report entry whose
# caption (workflow/report/<fig>.rst) states its parameters and decisions.

from powergrid.plotting import TABLES

# figure -> (plotting modules it uses, report category); the tables each figure reads are
# declared next to its plotting code (powergrid.plotting.TABLES).
FIGURE_INPUTS = {
    "fig1": (["fig1"], "Main text"),
    "fig2": (["fig2"], "Main text"),
    "fig3": (["fig3", "extra_relaxation", "noisy_currents"], "Main text"),
    "fig4": (["fig4", "noisy_currents"], "Main text"),
    "fig5": (["fig5", "noisy_currents"], "Main text"),
    "figS1": (["figS1"], "Supplement"),
    "figS2": (["figS2", "noisy_currents"], "Supplement"),
    "figS3": (["figS3"], "Supplement"),
    "figS4": (["figS4"], "Supplement"),
    "figS5": (["figS5", "current_sweeps"], "Supplement"),
    "figS6": (["figS6", "current_sweeps"], "Supplement"),
    "figS7": (["figS7", "fig2", "current_sweeps"], "Supplement"),
    "figS8": (["figS8", "noisy_currents"], "Supplement"),
    "figS9": (["figS9", "current_sweeps"], "Supplement"),
    "figS10": (["figS10", "noisy_currents"], "Supplement"),
    "fig6": (["fig6", "figS3", "figS4"], "Article appendix"),
    "fig7": (["fig7", "figS7", "fig2", "current_sweeps", "noisy_currents"], "Article appendix"),
    "fig8": (["fig8", "figS9", "current_sweeps", "noisy_currents"], "Article appendix"),
    "fig9": (["figS5", "current_sweeps"], "Article appendix"),
    "extra-relaxation": (["extra_relaxation"], "Beyond the paper"),
    "extra-sde-convergence": (["extra_sde_convergence", "noisy_currents"], "Beyond the paper"),
    "extra-quantum-N3": (["extra_quantum_n3", "noisy_currents"], "Beyond the paper"),
    "extra-truncation-convergence": (["extra_truncation_convergence"], "Beyond the paper"),
}

# A figure is made when every dataset it reads is configured; config.yaml may leave a family
# out (the log says which figures that drops), but a figure is never drawn from partial data.
def missing_datasets(fig):
    return sorted({t.split("/")[0] for t in TABLES[fig]} - set(DATASETS))


FIGURES = [fig for fig in FIGURE_INPUTS if not missing_datasets(fig)]
if len(FIGURES) < len(FIGURE_INPUTS):
    logger.info(
        "figures not made, their datasets are not in the config: "
        + "; ".join(
            f"{fig} (needs {', '.join(missing_datasets(fig))})"
            for fig in FIGURE_INPUTS
            if fig not in FIGURES
        )
    )

for _fig in FIGURES:
    _modules, _category = FIGURE_INPUTS[_fig]
    _tables = list(TABLES[_fig])

    rule:
        name:
            f"figure_{_fig.replace('-', '_')}"
        input:
            [f"results/{t}.parquet" for t in _tables],
        output:
            pdf=report(
                f"figures/{_fig}.pdf",
                caption=f"../report/{_fig}.rst",
                category=_category,
                labels={"figure": _fig, "format": "pdf"},
            ),
            png=report(
                f"figures/{_fig}.png",
                caption=f"../report/{_fig}.rst",
                category=_category,
                labels={"figure": _fig, "format": "png"},
            ),
        params:
            figure=_fig,
            tables=_tables,
            code=code_version(
                *(f"plotting/{m}" for m in _modules), "plotting/style", "plotting/_common", "analytic"
            ),
        log:
            f"logs/figures/{_fig}.log",
        localrule: True
        conda:
            ENV
        script:
            "../scripts/plot_figure.py"
