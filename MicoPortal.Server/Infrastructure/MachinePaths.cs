namespace MicoPortal.Server.Infrastructure;

/// <summary>
/// Paths called by programs rather than browsers: they get status codes and problem details, never a page or a
/// redirect to the sign-in page.
/// </summary>
public static class MachinePaths
{
    private static readonly string[] Prefixes = ["/api", "/hubs", "/sandbox", "/health", "/metrics", "/openapi"];

    public static bool Contains(PathString path) => Prefixes.Any(p => path.StartsWithSegments(p));
}
