"""journeyviz — customer-journey analytics."""
__version__ = "0.1.0"
