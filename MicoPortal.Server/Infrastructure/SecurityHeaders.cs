namespace MicoPortal.Server.Infrastructure;

/// <summary>
/// Browser hardening headers. The CSP fits Blazor WebAssembly: 'wasm-unsafe-eval' lets the .NET
/// runtime compile; the one inline script, Blazor's import map (Components/App.razor), carries a
/// nonce made fresh for every response, so no injected script runs ('unsafe-inline' is not allowed
/// for scripts). Inline styles stay allowed: MudBlazor sets style attributes. No page may be framed
/// (clickjacking), and nothing is loaded from other origins.
/// </summary>
public static class SecurityHeaders
{
    private const string NonceItem = "csp-nonce";

    public static string ContentSecurityPolicy(string nonce) =>
        $"default-src 'self'; script-src 'self' 'wasm-unsafe-eval' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; " +
        "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; " +
        "form-action 'self'; frame-ancestors 'none'";

    /// <summary>This response's script nonce, for the page's own inline scripts (<c>nonce="@..."</c>).</summary>
    public static string NonceOf(HttpContext context) =>
        context.Items[NonceItem] as string ?? throw new InvalidOperationException("UseSecurityHeaders runs before the pages.");

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        // 128 random bits: unguessable, and new for every response (a cached page's nonce is spent).
        // Hex, not base64: Razor HTML-encodes "+", "/" and "=", and the attribute must read exactly as the header does.
        var nonce = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        context.Items[NonceItem] = nonce;
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
                headers.ContentSecurityPolicy = ContentSecurityPolicy(nonce);
            }

            return Task.CompletedTask;
        });
        await next(context);
    });
}
