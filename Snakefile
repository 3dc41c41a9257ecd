from snakemake.utils import min_version

min_version("9.0")


configfile: "config/config.yaml"


include: "rules/common.smk"
include: "rules/common_experiments.smk"
include: "rules/demo.smk"
include: "rules/slices.smk"
include: "rules/masks.smk"
include: "rules/splits.smk"
include: "rules/dataset.smk"
include: "rules/tfrecords.smk"
include: "rules/train.smk"
include: "rules/predict.smk"
include: "rules/evaluate.smk"
include: "rules/plots.smk"
include: "rules/infer.smk"
include: "rules/export.smk"
include: "rules/experiments.smk"


# The report's first page (rules/plots.smk): with the headline figures after a run.
report: REPORT_PAGE


rule all:
    default_target: True
    input:
        final_targets,
