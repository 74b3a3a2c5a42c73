"""Reports for coordinators and supervisors, computed from the case history."""
