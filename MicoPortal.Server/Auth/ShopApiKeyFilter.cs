using MicoPortal.Server.Infrastructure;
using MicoPortal.Shared.Auth;
using MicoPortal.Shared.Common;

namespace MicoPortal.Server.Auth;

/// <summary>
/// Lets a request through with a valid <c>X-Api-Key</c>, scoped to the key's shop
/// (<see cref="ShopScope"/>), or, to read, when an operator is signed in (the dashboard reads orders
/// through the same routes and sees every shop). Placing orders and looking up accounts (every POST here)
/// takes the key only: a signed-in operator gets <c>403</c>, so no real top-up is placed by a person's
/// session with nobody recorded as having placed it.
/// </summary>
public sealed class ShopApiKeyFilter(ShopApiKeyStore keys) : IEndpointFilter
{
    public const string HeaderName = "X-Api-Key";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var presented = http.Request.Headers[HeaderName].ToString();
        if (!string.IsNullOrEmpty(presented))
        {
            var shop = presented.Length <= 200 ? await keys.FindShopAsync(presented, http.RequestAborted) : null;
            if (shop is null)
            {
                return Problems.Of(StatusCodes.Status401Unauthorized, ErrorCodes.Unauthorized, "The API key is not valid.");
            }

            ShopScope.Set(http, shop);
            return await next(context);
        }

        if (http.User.IsInRole(Roles.Operations) || http.User.IsInRole(Roles.Admin))
        {
            return HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method)
                ? await next(context)
                : Problems.Of(StatusCodes.Status403Forbidden, ErrorCodes.Forbidden, "Only a shop places orders.",
                    $"Placing orders and looking up accounts takes the shop's {HeaderName}; a signed-in session cannot.");
        }

        return Problems.Of(StatusCodes.Status401Unauthorized, ErrorCodes.Unauthorized, $"An {HeaderName} header is required.");
    }
}
