def journey_map(*a, **k): raise NotImplementedError
def journey_map_table(*a, **k): raise NotImplementedError
def read_workshop_map(*a, **k): raise NotImplementedError
