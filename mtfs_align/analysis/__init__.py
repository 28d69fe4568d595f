"""Trade-offs and uncertainty (DESIGN 4.5), each built on evaluated or optimised plans: the
frontier, proposal against optimum, delivery risk (`risk`), robustness to weights and side-by-side
comparison of scenarios (`compare`)."""
