"""AWS tasks, one resource type per module; importing a module registers its discovery lister."""
