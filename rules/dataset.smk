# Every problem in one table: the listing's (found while the DAG was built) and each mask
# job's. The splits rule reads it: it stops the run there (on_bad_sample: stop) or leaves
# the bad samples out (skip).
rule problems:
    input:
        tables=expand("results/masks/problems/{chunk}.tsv", chunk=MASK_CHUNKS),
    output:
        problems="results/dataset/problems.tsv",
    log:
        "logs/problems.log",
    conda:
        "../envs/core.yaml"
    params:
        listing=[vars(problem) for problem in LISTING_PROBLEMS],
        on_bad_sample=ON_BAD_SAMPLE,
    script:
        "../scripts/problems.py"


rule dataset:
    input:
        # Plain paths: a rules.*.output reference beside the long mask lists makes Snakemake
        # hash those lists once per file when it builds this job (quadratic in the samples).
        train_list="results/splits/train.txt",
        val_list="results/splits/val.txt",
        test_list="results/splits/test.txt",
        # The mask jobs' statistics tables hold every image's pixel counts per class.
        stats=expand("results/masks/stats/{chunk}.tsv", chunk=MASK_CHUNKS),
        problems="results/dataset/problems.tsv",
    output:
        summary=report(
            "results/dataset/summary.tsv",
            caption="../report/dataset.rst",
            labels={"figure": "class shares per split"},
            category="Dataset",
        ),
        images="results/dataset/images.tsv",
    log:
        "logs/dataset.log",
    conda:
        "../envs/core.yaml"
    params:
        classes=config["classes"],
    script:
        "../scripts/dataset.py"
