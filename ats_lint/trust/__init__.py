"""Trust: certificate knowledge, the ATS judgement of a trust store, and the bundle tools beside the
pipeline (inspect, fix, probe)."""
