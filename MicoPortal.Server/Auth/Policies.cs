using MicoPortal.Shared.Auth;

namespace MicoPortal.Server.Auth;

/// <summary>Authorization policies of the operator API (docs/api.md section 3).</summary>
public static class Policies
{
    /// <summary>Any signed-in operator: Operations or Admin.</summary>
    public const string Operator = "Operator";

    /// <summary>Admins only: re-verify, retry, Hangfire, users and keys.</summary>
    public const string Admin = "Admin";

    public static readonly string[] AllRoles = [Roles.Operations, Roles.Admin];
}
