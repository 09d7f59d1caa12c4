using System.Security.Cryptography;
using System.Text;
using MicoPortal.Server.Infrastructure;
using MicoPortal.Shared.Auth;
using MicoPortal.Shared.Common;
using Microsoft.Extensions.Options;

namespace MicoPortal.Server.Auth;

/// <summary>
/// Lets a request through with a valid <c>X-Api-Key</c> (and records the shop's name in
/// <c>HttpContext.Items</c>), or when an operator is signed in (the dashboard reads orders through the same routes). Keys are compared as SHA-256 digests
/// in constant time.
/// </summary>
public sealed class ShopApiKeyFilter(IOptionsMonitor<ShopApiKeyOptions> options) : IEndpointFilter
{
    public const string HeaderName = "X-Api-Key";
    public const string ShopItem = "shop";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var presented = http.Request.Headers[HeaderName].ToString();
        if (!string.IsNullOrEmpty(presented))
        {
            var shop = Match(presented);
            if (shop is null)
            {
                return Problems.Of(StatusCodes.Status401Unauthorized, ErrorCodes.Unauthorized, "The API key is not valid.");
            }

            http.Items[ShopItem] = shop;
            return await next(context);
        }

        if (http.User.IsInRole(Roles.Operations) || http.User.IsInRole(Roles.Admin))
        {
            return await next(context);
        }

        return Problems.Of(StatusCodes.Status401Unauthorized, ErrorCodes.Unauthorized, $"An {HeaderName} header is required.");
    }

    private string? Match(string presented)
    {
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        string? match = null;
        foreach (var key in options.CurrentValue.ApiKeys)
        {
            if (string.IsNullOrEmpty(key.Key))
            {
                continue;
            }

            // Check every key so timing does not tell which one was close.
            if (CryptographicOperations.FixedTimeEquals(digest, SHA256.HashData(Encoding.UTF8.GetBytes(key.Key))))
            {
                match = key.Name;
            }
        }

        return match;
    }
}
