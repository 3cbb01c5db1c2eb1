# Figures: each reads tables only (never solves), renders PDF + PNG, and is a report entry whose
# caption (workflow/report/<fig>.rst) states its parameters and decisions. The figures are those
# the plotting modules declare (powergrid.plotting.REGISTRY): a new figure is one module plus
# one caption, and needs no edit here.

from powergrid.claims import claims_of_figure
from powergrid.plotting import REGISTRY


# A figure is made when every dataset it reads is configured; config.yaml may leave a family
# out (the log says which figures that drops), but a figure is never drawn from partial data.
def missing_datasets(fig):
    return sorted({t.split("/")[0] for t in REGISTRY[fig].tables} - set(DATASETS))


FIGURES = [fig for fig in REGISTRY if not missing_datasets(fig)]
if len(FIGURES) < len(REGISTRY):
    logger.info(
        "figures not made, their datasets are not in the config: "
        + "; ".join(f"{fig} (needs {', '.join(missing_datasets(fig))})" for fig in REGISTRY if fig not in FIGURES)
    )


for _fig in FIGURES:
    _entry = REGISTRY[_fig]

    rule:
        name:
            figure_rule(_fig)
        input:
            [f"results/{t}.parquet" for t in _entry.tables],
        output:
            pdf=report(
                f"figures/{_fig}.pdf",
                caption=f"../report/{_fig}.rst",
                category=_entry.category,
                labels={"figure": _fig, "format": "pdf"},
            ),
            png=report(
                f"figures/{_fig}.png",
                caption=f"../report/{_fig}.rst",
                category=_entry.category,
                labels={"figure": _fig, "format": "png"},
            ),
        log:
            f"logs/figures/{_fig}.log",
        localrule: True
        conda:
            ENV
        params:
            figure=_fig,
            tables=list(_entry.tables),
            claims=list(claims_of_figure(_fig)),  # named in the caption
            # the provenance each table must have: a table of another dataset or config is refused
            expect={t: dataset_provenance(t.split("/")[0]) for t in _entry.tables},
            code=code_version(script_path("plot_figure"), _entry.module),
        script:
            "../scripts/plot_figure.py"
