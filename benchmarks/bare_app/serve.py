"""Serve the built bare app the way portal.cli.serve serves the portal (run from this directory)."""

import os

from reflex.utils import exec as rx_exec
from reflex_base import constants
from reflex_base.environment import environment

if __name__ == "__main__":
    environment.REFLEX_ENV_MODE.set(constants.Env.PROD)
    environment.REFLEX_SKIP_COMPILE.set(True)
    environment.REFLEX_MOUNT_FRONTEND_COMPILED_APP.set(True)
    rx_exec.run_granian_backend_prod("127.0.0.1", int(os.environ["BARE_PORT"]), constants.LogLevel.WARNING)
