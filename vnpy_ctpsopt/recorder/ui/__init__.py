from .widget import RecorderManager

__all__ = ["RecorderManager"]
