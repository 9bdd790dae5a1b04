"""Settings of the server `./run bench api` starts: the platform's own, plus the bench's
URLconf (a minimal view to compare with, and fallbacks of the measured pages)."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.api_urls"
