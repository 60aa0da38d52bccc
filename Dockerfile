# Cairn in a container: Debian bookworm slim, a non-root user, data in the /data volume.
#   docker build -t cairn .
#   docker run -p 8000:8000 cairn                         on-disk tables in the /data volume
#   docker run -p 8000:8000 cairn -inMemory -sharedDb     DynamoDB Local's flags work as they are
# Arguments after the image name are appended to the command line below (flags given twice: the
# last wins), and every flag can be set as CAIRN_<FLAG> in the environment.
FROM debian:bookworm-slim AS build
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      cmake g++ make pkg-config libboost1.74-dev node-llhttp libsimdjson-dev librocksdb-dev \
      libssl-dev zlib1g-dev liburing-dev libisal-dev libzstd-dev libxxhash-dev libspdlog-dev libfmt-dev libcli11-dev \
      libgoogle-perftools-dev python3 \
      python3-botocore help2man dpkg-dev file \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN rm -rf build* && cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DCAIRN_TESTS=OFF \
    && cmake --build build -j"$(nproc)" && cd build && cpack -G DEB

FROM debian:bookworm-slim
COPY --from=build /src/build/cairn_*.deb /tmp/
RUN apt-get update && apt-get install -y --no-install-recommends /tmp/cairn_*.deb \
    && rm -rf /var/lib/apt/lists/* /tmp/cairn_*.deb \
    && useradd --system --home-dir /data --shell /usr/sbin/nologin cairn \
    && mkdir -p /data && chown cairn:cairn /data && chmod 0700 /data
USER cairn
EXPOSE 8000
VOLUME /data
ENTRYPOINT ["cairn", "--host", "0.0.0.0", "--port", "8000", "--data-dir", "/data"]
