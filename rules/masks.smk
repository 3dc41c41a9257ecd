rule masks:
    input:
        unpack(mask_inputs),
    output:
        mask="results/masks/{sample}.png",
    log:
        "logs/masks/{sample}.log",
    conda:
        "../envs/core.yaml"
    params:
        classes=config["classes"],
        labels=config["labels"],
        max_pixels=config["images"]["max_pixels"],
    script:
        "../scripts/masks.py"
