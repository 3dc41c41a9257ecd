rule splits:
    output:
        train="results/splits/train.txt",
        val="results/splits/val.txt",
        test="results/splits/test.txt",
    log:
        "logs/splits.log",
    conda:
        "../envs/core.yaml"
    params:
        samples=list(samples.index),
        explicit=samples["split"].to_dict(),
        groups=SAMPLE_GROUPS,
        split=config["split"],
    script:
        "../scripts/splits.py"
