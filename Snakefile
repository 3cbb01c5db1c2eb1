# Reproduces the figures of Huber & Rabl, "microscopic power grids", from config.yaml.
# config -> compute jobs (results/<dataset>/chunks) -> tables (results/<dataset>/*.parquet)
# -> figures (figures/<fig>.pdf|png). See README.md.

from snakemake.utils import min_version

min_version("9.0")


# A config file given with --configfile is the whole configuration: it replaces config.yaml
# instead of being merged into it key by key (Snakemake's default), so that a file with one
# dataset plans that dataset alone, with its own seed and chunk size.
if workflow.overwrite_configfiles:
    workflow.config_settings.replace_workflow_config = True


configfile: "config.yaml"


include: "workflow/rules/common.smk"
include: "workflow/rules/compute.smk"
include: "workflow/rules/analysis.smk"
include: "workflow/rules/figures.smk"


rule all:
    default_target: True
    input:
        expand("figures/{fig}.{ext}", fig=FIGURES, ext=("pdf", "png")),
        "results/claims.parquet",
        "results/claims.html",
