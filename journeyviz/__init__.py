"""journeyviz — customer-journey analytics: what customers do and what they say, for our brand and its competitors."""

__version__ = "0.1.0"

# definition and data
from .journey import Journey, JourneyError
from .engine import get_engine

# io (load, Dataset)

# behavioural analyses

# survey analyses and segments

# charts
