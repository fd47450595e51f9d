"""Building a new cluster's spec from ``kops create cluster`` flags, as upstream kOps does."""
