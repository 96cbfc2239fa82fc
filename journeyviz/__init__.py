"""journeyviz — customer-journey analytics: what customers do and what they say, for our brand and its competitors."""

__version__ = "0.1.0"

# definition and data
from .journey import Journey, JourneyError
from .engine import get_engine

# io (load, Dataset)
from .io import load
from .dataset import Dataset

# behavioural analyses
from .analyses.funnel import funnel
from .analyses.paths import flows, top_paths, transitions
from .analyses.channels import channel_switching
from .analyses.audit import objective_coverage, touchpoint_audit
from .analyses.attribution import attribution

# survey analyses and segments
from .analyses.scores import scores
from .analyses.gaps import satisfaction_gap
from .analyses.drivers import importance_performance, key_drivers
from .analyses.brands import compare_brands
from .analyses.churn import churn_by_experience
from .analyses.segments import customer_features, segment, segment_profiles
from .analyses.listening import listening_plan
from .analyses.privacy import export

# charts
from . import charts
