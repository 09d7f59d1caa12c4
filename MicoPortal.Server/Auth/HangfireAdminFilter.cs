using Hangfire.Dashboard;
using MicoPortal.Shared.Auth;

namespace MicoPortal.Server.Auth;

/// <summary>The Hangfire dashboard is for admins only.</summary>
public sealed class HangfireAdminFilter : IDashboardAuthorizationFilter
{
    public bool Authorize(DashboardContext context)
    {
        var user = context.GetHttpContext().User;
        return user.Identity?.IsAuthenticated == true && user.IsInRole(Roles.Admin);
    }
}
