"""The network and its training: U-Net builders (unet, encoders, blocks), losses, callbacks,
checkpoints, the train stage (training) and the checks made before any job runs (preflight).
"""
