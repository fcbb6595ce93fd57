from .accountability import Accountability
from .orders import OrderReply, SupervisionOrder
from .patrols import Finding, Patrol
from .tolerance import FaultTolerance

__all__ = [
    "Accountability",
    "FaultTolerance",
    "Finding",
    "OrderReply",
    "Patrol",
    "SupervisionOrder",
]
