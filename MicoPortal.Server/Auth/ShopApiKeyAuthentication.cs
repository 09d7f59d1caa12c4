using System.Security.Claims;
using System.Text.Encodings.Web;
using MicoPortal.Server.Infrastructure;
using MicoPortal.Shared.Common;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace MicoPortal.Server.Auth;

/// <summary>
/// The shop API key (docs/api.md section 2) as an authentication scheme: the <c>X-Api-Key</c> header is checked
/// before anything reads the request body, so a wrong key costs the portal no parsing of up to 2 MB. A valid
/// key's principal carries its shop (<see cref="ShopScope"/>). Shop routes require the policies
/// <see cref="Policies.ShopWrite"/> (the key only) or <see cref="Policies.ShopRead"/> (the key, or a signed-in operator).
/// </summary>
public static class ShopApiKeyAuthentication
{
    public const string Scheme = "ShopApiKey";
    public const string HeaderName = "X-Api-Key";
    public const string ShopClaim = "micoportal:shop";

    /// <summary>Longer than any key the portal issues or accepts from configuration: refused without a lookup.</summary>
    public const int MaxKeyLength = 200;

    /// <summary>
    /// Authenticates a presented key right after the cookie, before the rate limiter, so the limiter counts a
    /// shop's requests by its shop and a wrong key's by its address (<see cref="RateLimiting"/>). The handler
    /// keeps its result for the request: authorization asks it again for free.
    /// </summary>
    public static IApplicationBuilder UseShopApiKeyAuthentication(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        // Only where a key means something: a key sent to any other path costs nothing.
        if (context.Request.Headers.ContainsKey(HeaderName) && IsShopPath(context.Request.Path))
        {
            await context.AuthenticateAsync(Scheme);
        }

        await next(context);
    });

    /// <summary>The shop API's paths (docs/api.md section 2): orders and account look-ups.</summary>
    public static bool IsShopPath(PathString path) =>
        path.StartsWithSegments("/api/v1/orders", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/api/v1/accounts", StringComparison.OrdinalIgnoreCase);

    /// <summary>Authenticated by a shop's key (not a session).</summary>
    public static bool IsShop(ClaimsPrincipal user) =>
        user.Identities.Any(i => i.IsAuthenticated && i.AuthenticationType == Scheme && i.HasClaim(c => c.Type == ShopClaim));
}

public sealed class ShopApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ShopApiKeyStore keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = Request.Headers[ShopApiKeyAuthentication.HeaderName].ToString();
        if (presented.Length == 0)
        {
            return AuthenticateResult.NoResult();
        }

        var shop = presented.Length <= ShopApiKeyAuthentication.MaxKeyLength ? await keys.FindShopAsync(presented, Context.RequestAborted) : null;
        if (shop is null)
        {
            return AuthenticateResult.Fail("The API key is not valid.");
        }

        ShopScope.Set(Context, shop);
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "shop:" + shop), new Claim(ShopApiKeyAuthentication.ShopClaim, shop)], Scheme.Name);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        Problem(StatusCodes.Status401Unauthorized, ErrorCodes.Unauthorized, Request.Headers.ContainsKey(ShopApiKeyAuthentication.HeaderName)
            ? "The API key is not valid."
            : $"An {ShopApiKeyAuthentication.HeaderName} header is required.");

    /// <summary>Only a signed-in operator without a key gets here: shop writes take the key only.</summary>
    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Problem(StatusCodes.Status403Forbidden, ErrorCodes.Forbidden, "Only a shop places orders.",
            $"Placing orders and looking up accounts takes the shop's {ShopApiKeyAuthentication.HeaderName}; a signed-in session cannot.");

    private Task Problem(int status, string code, string title, string? detail = null)
    {
        // The cookie scheme, asked first, set only the status; the body is this scheme's.
        if (Response.HasStarted)
        {
            return Task.CompletedTask;
        }

        Response.StatusCode = status;
        return Problems.Of(status, code, title, detail).ExecuteAsync(Context);
    }
}
