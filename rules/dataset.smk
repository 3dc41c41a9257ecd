rule dataset:
    input:
        train_list=rules.splits.output.train,
        val_list=rules.splits.output.val,
        test_list=rules.splits.output.test,
        masks=mask_files(samples.index),
        stats=mask_files(samples.index, "json"),
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
        samples=list(samples.index),
        classes=config["classes"],
    script:
        "../scripts/dataset.py"
