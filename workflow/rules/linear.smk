# Closed-form and linear-algebra datasets: the linear chain's spectrum (Fig. S3) and the
# saturation function f-bar (Fig. S1).


rule linear_spectrum:
    output:
        "results/{dataset}/spectrum.parquet",
    params:
        spec=whole_spec,
        code=code_version("model", "linear", "datasets", "tables"),
    log:
        "logs/{dataset}/linear_spectrum.log",
    conda:
        ENV
    script:
        "../scripts/linear_spectrum.py"


rule saturation:
    output:
        "results/{dataset}/saturation.parquet",
    params:
        n0=lambda wc: [float(x) for x in DATASETS[wc.dataset]["n0"]],
        x_over_n0=lambda wc: axis_values(DATASETS[wc.dataset]["x_over_n0"]),
        code=code_version("analytic", "tables"),
    log:
        "logs/{dataset}/saturation.log",
    conda:
        ENV
    script:
        "../scripts/saturation.py"
