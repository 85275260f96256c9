#!/bin/sh
# Installs the Debian packages the API benchmark (bench/api/run.sh) needs
# on top of the build's, and nothing that is already there: wrk drives
# the HTTP load, nginx is the static-file peer it is compared with.
# `make bench` runs it.
exec sh "$(dirname "$0")/install-deps.sh" wrk nginx-light curl
