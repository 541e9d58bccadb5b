# The API. Neo4j runs in its own container: see docker-compose.yml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src

# Dependencies first, in their own layer, so a code change does not reinstall them.
COPY pyproject.toml README.md requirements.lock ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > requirements.txt \
    && pip install -r requirements.txt -c requirements.lock

# The whole project: the build puts graph/, schema/, resolvers/ and seeds/ into the
# installed package as kesher.graph, kesher.schema, kesher.resolvers and kesher.seeds.
COPY . .
RUN pip install --no-deps . \
    && useradd --system --uid 10001 --no-create-home kesher \
    && mkdir -p /data/attachments && chown kesher /data/attachments

# `kesher run` listens on KESHER_HOST and KESHER_PORT (else the platform's PORT, else
# 8000); KESHER_PORT is left unset here so that a PORT given to the container counts.
ENV KESHER_HOST=0.0.0.0
USER kesher
EXPOSE 8000 2525
CMD ["kesher", "run", "--no-demo"]
