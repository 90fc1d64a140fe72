"""Demo service for ats-lint: a small shipping backend with every kind of ATS migration risk."""
