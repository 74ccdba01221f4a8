# posture-audit container image: the same `posture` entry point as the pip install.
# Multi-stage: the build stage makes wheels (compilers never reach the runtime image); the runtime
# stage installs them into a virtualenv and runs as an unprivileged user. The base is pinned by
# digest so a rebuild next month uses the same bytes (refresh the digest deliberately).
FROM python:3.12-slim-bookworm@sha256:782412e85d0f0984994c290652577d4018aff08145c85b262bb63dc0c7522254 AS build
WORKDIR /src
COPY pyproject.toml README.md constraints.txt ./
COPY scanner ./scanner
COPY policies ./policies
RUN python -m pip wheel --no-cache-dir --wheel-dir /wheels -c constraints.txt ".[all]"

FROM python:3.12-slim-bookworm@sha256:782412e85d0f0984994c290652577d4018aff08145c85b262bb63dc0c7522254
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/posture/bin:$PATH \
    XDG_STATE_HOME=/home/posture/state
RUN python -m venv /opt/posture \
 && useradd --create-home --uid 10001 --user-group posture
COPY --from=build /wheels /wheels
RUN /opt/posture/bin/pip install --no-cache-dir --no-index --find-links /wheels "posture-audit[all]" \
 && rm -rf /wheels
USER 10001:10001
WORKDIR /home/posture
# History (SQLite) lives under XDG_STATE_HOME: mount a volume there to keep it between runs.
VOLUME ["/home/posture/state"]
ENTRYPOINT ["posture"]
CMD ["--help"]
