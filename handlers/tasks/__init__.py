"""Group tasks (群发任务): operators target, staff send, laggards are reminded; customer groups.

Pure core: ``model`` (what a task is), ``targeting`` (who gets it, from whom), ``splitting``
(WeCom-sized add_msg_template calls). I/O at the edges: ``sources`` (customers from WeCom or
siyu's store), ``creation``, ``tracking``, ``nudges``, ``service`` (what the CLI and the admin
API call) and ``jobs`` (what the scheduler calls). Customer groups live in ``groups/``.
"""
