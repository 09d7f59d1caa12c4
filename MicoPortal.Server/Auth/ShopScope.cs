namespace MicoPortal.Server.Auth;

/// <summary>
/// Which shop a request speaks for. A request with a shop API key is scoped to that key's shop: it
/// places orders for it and sees only its orders. A signed-in operator without a key sees every shop.
/// </summary>
public static class ShopScope
{
    /// <summary>
    /// The shop of orders that signed-in operators placed before only a key could (and the column's default):
    /// reserved, so no key can take it.
    /// </summary>
    public const string Portal = "portal";

    private const string Item = "shop";

    /// <summary>The shop a request's API key belongs to (set by <see cref="ShopApiKeyAuthenticationHandler"/>); <c>null</c> for an operator (all shops).</summary>
    public static string? Of(HttpContext http) => http.Items[Item] as string;

    /// <summary>The shop new orders of this request belong to (only a key places orders: <see cref="Policies.ShopWrite"/>).</summary>
    public static string ForNewOrders(HttpContext http) => Of(http) ?? throw new InvalidOperationException("Orders are placed with a shop's API key only.");

    internal static void Set(HttpContext http, string shop) => http.Items[Item] = shop;
}
