# Figures: each reads tables only (never solves), renders PDF + PNG, and is a report entry whose
# caption (workflow/report/<fig>.rst) states its parameters and decisions.

from powergrid.plotting import TABLES

# figure -> (plotting modules it uses, report category); the tables each figure reads are
# declared next to its plotting code (powergrid.plotting.TABLES).
FIGURE_INPUTS = {
    "fig1": (["fig1"], "Main text"),
    "fig2": (["fig2"], "Main text"),
    "figS1": (["figS1"], "Supplement"),
    "figS3": (["figS3"], "Supplement"),
    "figS4": (["figS4"], "Supplement"),
    "figS5": (["figS5", "current_sweeps"], "Supplement"),
    "figS6": (["figS6", "current_sweeps"], "Supplement"),
    "figS7": (["figS7", "fig2", "current_sweeps"], "Supplement"),
    "figS9": (["figS9", "current_sweeps"], "Supplement"),
    "fig6": (["fig6", "figS3", "figS4"], "Article appendix"),
    "fig9": (["figS5", "current_sweeps"], "Article appendix"),
    "extra-relaxation": (["extra_relaxation"], "Beyond the paper"),
}
FIGURES = list(FIGURE_INPUTS)

for _fig, (_modules, _category) in FIGURE_INPUTS.items():
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
                *(f"plotting/{m}" for m in _modules), "plotting/style", "plotting/_common"
            ),
        log:
            f"logs/figures/{_fig}.log",
        localrule: True
        conda:
            ENV
        script:
            "../scripts/plot_figure.py"
