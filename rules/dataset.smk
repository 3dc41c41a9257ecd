rule dataset:
    input:
        # Plain paths: a rules.*.output reference beside the long mask lists makes Snakemake
        # hash those lists once per file when it builds this job (quadratic in the samples).
        train_list="results/splits/train.txt",
        val_list="results/splits/val.txt",
        test_list="results/splits/test.txt",
        # The mask jobs' statistics tables hold every image's pixel counts per class.
        stats=expand("results/masks/stats/{chunk}.tsv", chunk=MASK_CHUNKS),
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
