from tests.fakes.fixtures import model_server
from tests.github.conftest import github

__all__ = ["github", "model_server"]
