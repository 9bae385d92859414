"""The service's name, shown in every page's shell and in its emails (the shell's context
processor, which asks the policy for the navigation, is `cdrp.accounts.context_processors.shell`).
"""

SERVICE_NAME = "Community safety partnership"
