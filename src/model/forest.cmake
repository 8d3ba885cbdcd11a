# The flat forest evaluator and TreeSHAP (owned by the forest helper).
