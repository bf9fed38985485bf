"""What OpenClaw would do, each piece once: checks, probe judges and the fixer import from here.

Pure functions over the audit context (config, env, paths); any filesystem question goes to
``ctx.state`` (:class:`openclaw_audit.state.view.StateView`). Nothing here emits findings.
"""
