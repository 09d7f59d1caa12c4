using MicoPortal.Server.Auth;
using MicoPortal.Server.Data;
using MicoPortal.Server.Infrastructure;
using MicoPortal.Shared.Incidents;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace MicoPortal.Server.Incidents;

/// <summary>
/// <c>GET /api/v1/incidents?state=open|resolved</c>. Readable by Operations as well as Admin: operations
/// managers are the ones the dashboard banner is for, and Operations reads everything (docs/api.md section 3).
/// </summary>
public static class IncidentsApi
{
    /// <summary>Resolved incidents pile up over months; the list answers the newest ones.</summary>
    public const int MaxItems = 200;

    public static IEndpointRouteBuilder MapIncidentsApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/v1/incidents").WithTags("Incidents").RequireAuthorization(Policies.Operator)
            .MapGet("/", List);
        return app;
    }

    /// <summary>Open ones first, then newest first; without <paramref name="state"/>, both.</summary>
    public static async Task<Results<Ok<IncidentList>, ValidationProblem>> List(
        string? state, IDbContextFactory<PortalDbContext> dbFactory, CancellationToken cancellationToken)
    {
        var normalized = state?.Trim().ToLowerInvariant();
        if (normalized is not (null or "" or "open" or "resolved"))
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["state"] = ["state is 'open' or 'resolved'."] });
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = db.Incidents.AsNoTracking();
        query = normalized switch
        {
            "open" => query.Where(i => i.ResolvedAt == null),
            "resolved" => query.Where(i => i.ResolvedAt != null),
            _ => query,
        };
        var incidents = await query.OrderByDescending(i => i.StartedAt).ThenByDescending(i => i.Id).Take(MaxItems).ToListAsync(cancellationToken);
        var items = incidents.OrderBy(i => i.ResolvedAt is null ? 0 : 1).Select(i => i.ToDto()).ToList();
        return TypedResults.Ok(new IncidentList(items));
    }
}
