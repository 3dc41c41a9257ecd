rule demo:
    output:
        images=demo_files("jpg"),
        annotations=demo_files("xml"),
    log:
        "logs/demo.log",
    conda:
        "../envs/core.yaml"
    params:
        directory=output_folder,
        n_scenes=config["demo"]["n_scenes"],
        seed=config["demo"]["seed"],
        width=config["demo"]["width"],
        height=config["demo"]["height"],
    script:
        "../scripts/demo.py"
