"""smm: social media management as code."""

__version__ = "0.1.0"
DISTRIBUTION = "smm-git"  # the name on the Python package index (`smm` there is another project)
