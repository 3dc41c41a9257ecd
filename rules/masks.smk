rule masks:
    input:
        unpack(mask_inputs),
    output:
        mask="results/masks/{sample}.png",
        stats="results/masks/{sample}.json",
    log:
        "logs/masks/{sample}.log",
    conda:
        "../envs/core.yaml"
    params:
        classes=config["classes"],
        labels=config["labels"],
        annotations=config["annotations"],
        max_pixels=config["images"]["max_pixels"],
    script:
        "../scripts/masks.py"
