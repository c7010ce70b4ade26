"""Use cases: one public function is one transaction; the actor is always an argument."""
