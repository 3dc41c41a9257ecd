rule tfrecords:
    input:
        split_list="results/splits/{split}.txt",
        images=split_images,
        masks=split_masks,
    output:
        shards=shard_files("{split}"),
    log:
        "logs/tfrecords/{split}.log",
    benchmark:
        "logs/benchmarks/tfrecords/{split}.tsv"
    conda:
        "../envs/tensorflow.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=60,
    params:
        max_pixels=config["images"]["max_pixels"],
    script:
        "../scripts/tfrecords.py"
