"""Scellé's web portal: French HTML pages over the other services' public APIs."""
