"""Strict configuration: typed models, YAML loading with line numbers, JSON Schema export."""

from gate.config.loader import load_config, load_config_text
from gate.config.models import Config

__all__ = ["Config", "load_config", "load_config_text"]
