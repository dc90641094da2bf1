"""Helpers shared by the LVC tests (a uniquely named module, so imports never hit another folder's conftest)."""

import numpy as np

IMAGE_SIZE = 16  # 16 / patch 4 = 4x4 patches -> pixel shuffle -> 4 tokens per frame
TOKENS_PER_FRAME = 4


def write_video(path, num_frames: int, size=(32, 24)):
    """Writes an mpeg4 video whose frame i has brightness 8 * i, with PyAV."""
    import av

    width, height = size
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("mpeg4", rate=8)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for index in range(num_frames):
            image = np.full((height, width, 3), 8 * index, dtype=np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path
