# The gate before training: with problems in the data and data.on_bad_sample "stop" this
# job fails with the problem table; with "skip" the lists leave the bad samples out.
rule splits:
    input:
        problems="results/dataset/problems.tsv",
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
        on_bad_sample=ON_BAD_SAMPLE,
    script:
        "../scripts/splits.py"
