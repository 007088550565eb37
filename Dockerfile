# syntax=docker/dockerfile:1
#
# One image for every production shape: `perfloop api`, `perfloop worker`,
# `perfloop migrate`, `perfloop init`. The binary is static: SQLite is the
# pure-Go modernc engine, so nothing needs cgo or libc.
#
# It is the lean build (-tags lean): without `perfloop dev` and `perfloop
# bench`, so without the embedded Temporal server and its UI server, which
# production never runs. For an image that has `perfloop dev` too:
#   docker build --build-arg PERFLOOP_TAGS= -t perfloop:dev .

ARG GO_VERSION=1.26
# Build tags: "lean" leaves out dev and bench; empty builds everything.
ARG PERFLOOP_TAGS=lean

FROM golang:${GO_VERSION} AS build
ARG PERFLOOP_TAGS
WORKDIR /src
# GOTOOLCHAIN=local: fail loudly if the image's Go is older than go.mod asks,
# rather than downloading another toolchain in the middle of a build.
ENV CGO_ENABLED=0 GOTOOLCHAIN=local
# Modules first, so this layer survives source changes.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    go build -tags "${PERFLOOP_TAGS}" -trimpath -ldflags="-s -w" -o /out/perfloop ./cmd/perfloop

# Alpine rather than distroless: compose's health checks need an HTTP client
# (busybox wget), and tzdata keeps deadlines and meeting slots right in any
# TZ the operator sets.
FROM alpine:3.22
RUN apk add --no-cache ca-certificates tzdata \
 && addgroup -S -g 10001 perfloop \
 && adduser -S -D -H -u 10001 -G perfloop -h /var/lib/perfloop perfloop \
 && install -d -o perfloop -g perfloop /var/lib/perfloop
COPY --from=build /out/perfloop /usr/local/bin/perfloop
USER 10001:10001
# Only `perfloop dev` (in a PERFLOOP_TAGS= build) and a sqlite: --db write
# files; give them a home.
WORKDIR /var/lib/perfloop
ENV PERFLOOP_HTTP=:8080 \
    PERFLOOP_DATA=/var/lib/perfloop
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/perfloop"]
CMD ["api"]
