"""`intake-rasa`: the Rasa command line with the project's runtime changes installed
first (intake_rasa_patches.install). Every process of the project that runs Rasa starts
through it: make, serve, the tests' servers, the image, docker-compose and Helm.

Usage: `intake-rasa <rasa arguments>`, as `rasa`.
"""
import sys

import intake_rasa_patches


def main() -> None:
    intake_rasa_patches.install()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
