# Multi-stage build of the portal; runs as a non-root user.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish MicoPortal.Server/MicoPortal.Server.csproj -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
RUN mkdir -p /data && chown app:app /data
USER app
ENV ASPNETCORE_URLS=http://0.0.0.0:8080 DataDirectory=/data
EXPOSE 8080
ENTRYPOINT ["dotnet", "MicoPortal.Server.dll"]
