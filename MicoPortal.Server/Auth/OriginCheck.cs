using MicoPortal.Server.Infrastructure;
using MicoPortal.Shared.Common;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace MicoPortal.Server.Auth;

/// <summary>
/// Where the portal's own pages are served from, when a proxy in front changes the scheme or host
/// (<c>Auth:PublicOrigins</c>, e.g. <c>https://portal.example.com</c>; a default port is dropped, as browsers
/// do). Without it the portal's origin is the
/// request's own scheme and host.
/// </summary>
public sealed class OriginCheckOptions
{
    public const string Section = "Auth";

    public string[] PublicOrigins { get; set; } = [];
}

/// <summary>
/// Forged browser requests: a POST, PUT, PATCH or DELETE that the auth cookie authenticates is accepted
/// only when its <c>Origin</c> header is the portal's own origin; none or another gets <c>403</c> with code
/// <c>CSRF</c>. <c>SameSite=Strict</c> alone is not enough: a bodiless POST (retry, reverify, unlock,
/// logout) or a multipart upload needs no preflight, and a same-site page on another subdomain carries the
/// cookie. Browsers send <c>Origin</c> on every such request themselves; scripts set it. The shop API key,
/// provider callbacks and sign-in itself are not cookie-authenticated and need none.
/// </summary>
public static class OriginCheck
{
    /// <summary>Signing in is not cookie-authenticated (the API call and the login page's own form).</summary>
    private static readonly string[] SignInPaths = ["/api/v1/auth/login", "/login"];

    public static IServiceCollection AddOriginCheck(this IServiceCollection services)
    {
        services.AddOptions<OriginCheckOptions>().BindConfiguration(OriginCheckOptions.Section)
            .Validate(o => o.PublicOrigins.All(IsOrigin), "Auth:PublicOrigins must be origins: scheme://host[:port], no path.")
            .ValidateOnStart();
        return services;
    }

    /// <summary>After authentication, before anything acts on the request.</summary>
    public static IApplicationBuilder UseOriginCheck(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (NeedsOrigin(context) && !IsOwnOrigin(context, context.RequestServices.GetRequiredService<IOptions<OriginCheckOptions>>().Value))
        {
            await Problems.Of(StatusCodes.Status403Forbidden, ErrorCodes.Csrf, "The request does not come from the portal's own pages.",
                    "A request the sign-in cookie authenticates must carry the portal's own Origin header.")
                .ExecuteAsync(context);
            return;
        }

        await next(context);
    });

    /// <summary>
    /// An unsafe method, or a WebSocket upgrade (a GET, but it opens the live hub to whoever holds the cookie),
    /// that the Identity cookie authenticated; sign-in itself excepted.
    /// </summary>
    public static bool NeedsOrigin(HttpContext context) =>
        (IsUnsafe(context.Request.Method) || IsWebSocketUpgrade(context.Request))
        && !SignInPaths.Any(p => context.Request.Path.Equals(p, StringComparison.OrdinalIgnoreCase))
        && context.User.Identities.Any(i => i.IsAuthenticated && i.AuthenticationType == IdentityConstants.ApplicationScheme);

    /// <summary>
    /// Read from the header: the WebSocket feature exists only inside SignalR's own endpoint pipeline, after
    /// this check. (An HTTP/2 upgrade is a CONNECT, which is unsafe anyway.)
    /// </summary>
    private static bool IsWebSocketUpgrade(HttpRequest request) =>
        request.Headers.Upgrade.Any(u => u?.Contains("websocket", StringComparison.OrdinalIgnoreCase) == true);

    private static bool IsUnsafe(string method) =>
        !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method));

    private static bool IsOwnOrigin(HttpContext context, OriginCheckOptions options)
    {
        var origin = context.Request.Headers.Origin.ToString();
        if (origin.Length == 0)
        {
            return false;
        }

        var own = $"{context.Request.Scheme}://{context.Request.Host.Value}";
        return string.Equals(origin, own, StringComparison.OrdinalIgnoreCase)
            || options.PublicOrigins.Any(o => string.Equals(origin, new Uri(o).GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase));
    }

    private static bool IsOrigin(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && uri.AbsolutePath == "/" && uri.Query.Length == 0 && !value.TrimEnd('/').EndsWith('/');
}
