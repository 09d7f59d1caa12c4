using MicoPortal.Shared.Auth;

namespace MicoPortal.Server.Auth;

/// <summary>Authorization policies of the operator API (docs/api.md section 3).</summary>
public static class Policies
{
    /// <summary>Any signed-in operator: Operations or Admin.</summary>
    public const string Operator = "Operator";

    /// <summary>Admins only: re-verify, retry, Hangfire, users and keys.</summary>
    public const string Admin = "Admin";

    /// <summary>Shop writes (orders, batches, account lookups): a shop's API key only; a signed-in operator gets 403.</summary>
    public const string ShopWrite = "ShopWrite";

    /// <summary>Shop reads: a shop's API key (its own orders) or a signed-in operator (every shop, for the dashboard).</summary>
    public const string ShopRead = "ShopRead";

    public static readonly string[] AllRoles = [Roles.Operations, Roles.Admin];
}
