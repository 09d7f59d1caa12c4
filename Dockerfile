# syntax=docker/dockerfile:1
# The portal server: built in the SDK image, run in the ASP.NET runtime image as a non-root user.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Project files first, so the package restore is a cached layer that only changes with dependencies.
COPY Directory.Build.props Directory.Packages.props ./
COPY MicoPortal.Shared/MicoPortal.Shared.csproj MicoPortal.Shared/
COPY MicoPortal.Client/MicoPortal.Client.csproj MicoPortal.Client/
COPY MicoPortal.Server/MicoPortal.Server.csproj MicoPortal.Server/
RUN dotnet restore MicoPortal.Server/MicoPortal.Server.csproj
COPY MicoPortal.Shared/ MicoPortal.Shared/
COPY MicoPortal.Client/ MicoPortal.Client/
COPY MicoPortal.Server/ MicoPortal.Server/
RUN dotnet publish MicoPortal.Server/MicoPortal.Server.csproj -c Release --no-restore -o /app /p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app .
# /data: the SQLite file when Database:Provider is Sqlite; /keys: data-protection keys shared by instances.
RUN mkdir -p /data /keys && chown app:app /data /keys
USER app
# MALLOC_ARENA_MAX: two glibc malloc arenas, not eight per core: less native memory held (BENCHMARKS.md, recon).
ENV ASPNETCORE_ENVIRONMENT=Production \
    ASPNETCORE_URLS=http://+:8080 \
    DataDirectory=/data \
    DataProtection__KeysDirectory=/keys \
    MALLOC_ARENA_MAX=2
EXPOSE 8080
# Ready = database and job storage answer. The runtime image has no curl; bash's /dev/tcp makes the request.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /health/ready HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["dotnet", "MicoPortal.Server.dll"]
