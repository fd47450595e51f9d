"""Configuration inference: rules that complete a cluster spec (see :mod:`kops.inference.base`)."""

from kops.inference.base import InferenceContext, Rule, all_rules, rule, run_stage

__all__ = ["InferenceContext", "Rule", "all_rules", "rule", "run_stage"]
