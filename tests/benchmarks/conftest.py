import pytest
import torch


@pytest.fixture(autouse=True)
def _keep_torch_threads():
    """Several benchmarks call ``torch.set_num_threads``; later tests in this process must not inherit it."""
    threads = torch.get_num_threads()
    yield
    torch.set_num_threads(threads)
