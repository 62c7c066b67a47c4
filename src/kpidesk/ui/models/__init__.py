"""Table models: one per table, each with its column constants and a ``set_rows`` that resets
it, shown through a :class:`~kpidesk.ui.models.proxy.TableProxy` that sorts (and can filter)
them. Tested without widgets."""
