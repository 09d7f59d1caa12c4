namespace MicoPortal.Server.Infrastructure;

/// <summary>
/// Browser hardening headers. The CSP fits Blazor WebAssembly: 'wasm-unsafe-eval' lets the .NET
/// runtime compile, inline scripts are needed for Blazor's import map, inline styles for MudBlazor.
/// No page may be framed (clickjacking), and nothing is loaded from other origins.
/// </summary>
public static class SecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; " +
        "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; " +
        "form-action 'self'; frame-ancestors 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            // same-origin, not no-referrer: under no-referrer browsers send "Origin: null" on the portal's own
            // form posts, and a cookie-authenticated write needs the portal's real Origin (Auth/OriginCheck.cs).
            headers["Referrer-Policy"] = "same-origin";
            headers.XFrameOptions = "DENY";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
            // Hangfire's dashboard brings its own inline scripts and styles; it is admin-only and same-origin.
            if (!context.Request.Path.StartsWithSegments("/hangfire"))
            {
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
            }

            return Task.CompletedTask;
        });
        await next(context);
    });
}
